"""Pattern C's step Lambdas: each run records itself in the state's trail, and the failure
reply records the state the Catch caught — the execution's own account of what ran."""

from __future__ import annotations

import json

import pytest

from pattern_c import steps
from pattern_core.usage import UsageFigures
from pattern_core.workflow.steps import WorkflowState
from tests.fakes import booking_request
from tests.utils import lambda_context


def event(state: WorkflowState, name: str, retries: int = 0, **extra) -> dict:
    workflow = state.model_dump(mode="json") | extra
    return {"workflow": workflow, "state": name, "retries": retries}


def test_a_step_lambda_returns_the_state_with_its_run_recorded():
    state = WorkflowState(message="m", user_id="alice", request=booking_request())

    out = steps.handle_choose_slot(event(state, "ChooseSlot", retries=1), lambda_context())

    (record,) = WorkflowState.model_validate(out).trail
    assert (record.step, record.state, record.retries, record.failed) == (
        "choose_slot",
        "ChooseSlot",
        1,
        False,
    )
    assert out["user_id"] == "alice"  # identity travels on, untouched


@pytest.mark.parametrize(
    ("error", "cause", "ran", "status"),
    [
        ("APIConnectionError", {"errorType": "APIConnectionError"}, True, 502),
        ("States.Timeout", None, True, 504),
        ("Lambda.ServiceException", None, False, 500),
    ],
)
def test_the_failure_reply_records_the_caught_state_and_says_nothing_was_booked(
    error, cause, ran, status
):
    measured = UsageFigures(llm_calls=1, input_tokens=100, output_tokens=20)
    state = WorkflowState(message="m", user_id="alice", usage=measured)
    caught = {"Understand": {"Error": error, "Cause": json.dumps(cause) if cause else "x"}}

    out = WorkflowState.model_validate(
        steps.handle_failure_reply(event(state, "FailureReply", caught=caught), lambda_context())
    )

    failed, reply = out.trail
    assert (failed.step, failed.failed, failed.ran) == ("Understand", True, ran)
    assert (reply.step, reply.state) == ("failure_reply", "FailureReply")
    assert out.usage == measured  # the execution's model usage goes on to its answer
    assert out.failure.status == status
    assert out.reply.endswith("Nothing was booked.") and out.booking is None
