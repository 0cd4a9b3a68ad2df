"""Pattern A's Lambda entry point: the HTTP contract around `orchestration.handle_turn`.

Collaborators (booking service, model client) come from cached getters, so a warm container
reuses them and nothing is built at import time; the model SDK is imported with the function,
because every turn calls the model once.
"""

from __future__ import annotations

from pattern_a.orchestration import handle_turn
from pattern_core.collaborators import booking_service
from pattern_core.contract.entry import chat_handler
from pattern_core.contract.turn import ChatOutcome, ChatTurn
from pattern_core.model.client import model_name, openai_client
from pattern_core.model.understanding import understand


def orchestrate(turn: ChatTurn) -> ChatOutcome:
    service = booking_service()
    return handle_turn(
        turn,
        service,
        lambda message: understand(
            openai_client(), model_name(), service.schedule, message, turn.usage, turn.deadline
        ),
    )


app, handler = chat_handler("A", orchestrate, imports=["openai"], warm=[booking_service])
