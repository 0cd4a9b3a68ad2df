"""Pattern A's Lambda entry point: the HTTP contract around `orchestration.handle_turn`.

Collaborators (booking service, model client) come from cached getters, so a warm container
reuses them and nothing expensive happens at import time.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from pattern_a.orchestration import handle_turn
from pattern_core.collaborators import booking_service
from pattern_core.contract.http import build_chat_app
from pattern_core.contract.turn import ChatOutcome, ChatTurn
from pattern_core.model.client import model_name, openai_client
from pattern_core.model.understanding import understand

logger = Logger()
tracer = Tracer()


@tracer.capture_method
def orchestrate(turn: ChatTurn) -> ChatOutcome:
    service = booking_service()
    return handle_turn(
        turn,
        service,
        lambda message: understand(
            openai_client(), model_name(), service.schedule, message, turn.usage, turn.deadline
        ),
    )


app = build_chat_app("A", orchestrate)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
