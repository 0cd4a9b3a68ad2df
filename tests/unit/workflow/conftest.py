"""Workflow steps on the moto-backed booking service and a scripted OpenAI client."""

from __future__ import annotations

import pytest

from pattern_core.understanding import BookingRequest
from pattern_core.usage import UsageMeter
from pattern_core.workflow import StepContext, WorkflowState


def booking_request(
    intent="book", date="2026-11-25", time="15:00", part_of_day=None, court=None, booking_id=None
) -> BookingRequest:
    return BookingRequest(
        intent=intent,
        date=date,
        time=time,
        part_of_day=part_of_day,
        court=court,
        booking_id=booking_id,
    )


def understood(request: BookingRequest, message="Book tomorrow at 3pm", user="alice"):
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
