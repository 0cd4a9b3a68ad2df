"""Pattern B's Lambda entry point: the HTTP contract around `orchestration.run_workflow`.

Collaborators (booking service, model client) come from cached getters, so a warm container
reuses them and nothing is built at import time; the model SDK is imported with the function,
because the workflow's first step calls the model.
"""

from __future__ import annotations

from pattern_b.orchestration import run_workflow
from pattern_core.collaborators import booking_service
from pattern_core.contract.entry import chat_handler
from pattern_core.contract.turn import ChatOutcome, ChatTurn
from pattern_core.model.client import model_name, openai_client
from pattern_core.workflow.steps import StepContext


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


app, handler = chat_handler("B", orchestrate, imports=["openai"], warm=[booking_service])
