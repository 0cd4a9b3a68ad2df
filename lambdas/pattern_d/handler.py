"""Pattern D's Lambda entry point: the HTTP contract around `orchestration.handle_turn`.

Collaborators (booking service, conversation store, model client) come from cached getters,
so a warm container reuses them and nothing is built at import time.
"""

from __future__ import annotations

from pattern_core.collaborators import booking_service, conversation_store
from pattern_core.contract.entry import chat_handler
from pattern_core.contract.turn import ChatOutcome, ChatTurn
from pattern_core.model.client import model_name, openai_client
from pattern_d.orchestration import handle_turn


def orchestrate(turn: ChatTurn) -> ChatOutcome:
    conversation = conversation_store().conversation("D", turn.session_id, turn.user_id)
    return handle_turn(turn, booking_service(), openai_client(), model_name(), conversation)


app, handler = chat_handler("D", orchestrate, warm=[booking_service, conversation_store])
