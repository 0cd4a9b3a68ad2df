"""Pattern E's Lambda entry point: the HTTP contract around `orchestration.handle_turn`.

The agent runs on the container's long-lived event loop (`agent_runtime.run_sync`), so the
model client's connections survive warm invocations. Collaborators come from cached getters.
"""

from __future__ import annotations

from pattern_core.agent_runtime.runtime import run_sync
from pattern_core.collaborators import booking_service, conversation_store
from pattern_core.contract.entry import chat_handler
from pattern_core.contract.turn import ChatOutcome, ChatTurn
from pattern_e.orchestration import handle_turn


def orchestrate(turn: ChatTurn) -> ChatOutcome:
    conversation = conversation_store().conversation("E", turn.session_id, turn.user_id)
    return run_sync(handle_turn(turn, booking_service(), conversation))


app, handler = chat_handler("E", orchestrate, warm=[booking_service, conversation_store])
