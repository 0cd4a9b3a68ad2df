"""Workflow steps on the moto-backed booking service and a scripted OpenAI client."""

from __future__ import annotations

import pytest

from pattern_core.usage import UsageMeter
from pattern_core.workflow.steps import StepContext, WorkflowState


def understood(request, message="Book tomorrow at 3pm", user="alice"):
    return WorkflowState(message=message, user_id=user, request=request)


@pytest.fixture
def make_ctx(service):
    def make(model=None) -> StepContext:
        return StepContext(
            usage=UsageMeter(),
            service=lambda: service,
            schedule=lambda: service.schedule,
            client=lambda: model,
            model="test-model",
        )

    return make
