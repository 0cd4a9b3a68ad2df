"""Pattern B's Lambda entry point: the HTTP contract around `orchestration.run_workflow`.

Collaborators (booking service, model client) come from cached getters, so a warm container
reuses them and nothing expensive happens at import time.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from pattern_b.orchestration import run_workflow
from pattern_core.collaborators import booking_service
from pattern_core.contract.http import build_chat_app
from pattern_core.contract.turn import ChatOutcome, ChatTurn
from pattern_core.model.client import model_name, openai_client
from pattern_core.workflow.steps import StepContext

logger = Logger()
tracer = Tracer()


@tracer.capture_method
def orchestrate(turn: ChatTurn) -> ChatOutcome:
    ctx = StepContext(
        usage=turn.usage,
        service=booking_service,
        schedule=lambda: booking_service().schedule,
        client=openai_client,
        model=model_name(),
        deadline=turn.deadline,
    )
    return run_workflow(turn, ctx)


app = build_chat_app("B", orchestrate)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
