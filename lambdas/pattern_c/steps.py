"""Pattern C's step functions: one Lambda per workflow step, each a thin wrapper around the
shared step in `pattern_core.workflow.steps`, run by the same `run_step` pattern B calls
in-process. The module-level names `handle_<step>` (`handle_find_slots`, …) are the Lambda
handlers the stack names (`steps.handle_find_slots`), one per state.

Step Functions invokes each with `{"workflow": <state>, "state": $$.State.Name, "retries":
$$.State.RetryCount}` and passes the returned state to the next state. Each run appends a
`StepRecord` to the state's `trail` and carries the execution's model usage on in the state
(`UsageMeter.snapshot()`), so the execution's output accounts for itself (Express executions
have no history API).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from pattern_core.collaborators import booking_service, schedule
from pattern_core.contract.entry import lambda_entry, prepare_function
from pattern_core.deadline import Deadline
from pattern_core.model.client import model_name, openai_client
from pattern_core.usage import UsageMeter
from pattern_core.workflow.steps import (
    StepContext,
    StepRecord,
    WorkflowState,
    end_with_failure,
    run_step,
)

logger = Logger()


def _run(step_name: str, event: dict, context: LambdaContext) -> dict:
    state = WorkflowState.model_validate(event["workflow"])
    usage = _execution_usage(state)
    ctx = StepContext(
        usage=usage,
        service=booking_service,
        schedule=schedule,
        client=openai_client,
        model=model_name(),
        # This step's own time (its function timeout nests inside its task's TimeoutSeconds):
        # out of time, the step raises DeadlineExceeded and the task's Catch reports it.
        deadline=Deadline.from_lambda_context(context),
    )
    return _recorded(step_name, event, usage, lambda: run_step(step_name, state, ctx))


def _execution_usage(state: WorkflowState) -> UsageMeter:
    """A meter for this step that starts from what the steps before it measured."""
    usage = UsageMeter()
    usage.record_remote(state.usage)
    return usage


def _recorded(
    step_name: str, event: dict, usage: UsageMeter, work: Callable[[], WorkflowState]
) -> dict:
    """Run `work` (which times itself into `usage` as `step_name`); the state it returns
    carries the execution's model usage so far, this step's included, and this run in its
    trail."""
    started_at = time.time()  # the trail's clock: a traced turn draws its states from it
    state = work()
    state.usage = usage.snapshot()
    state.trail.append(
        StepRecord(
            step=step_name,
            state=event.get("state"),
            retries=event.get("retries", 0),
            ms=usage.steps[step_name],
            started_at=started_at,
        )
    )
    return state.model_dump(mode="json")


def _step_handler(step_name: str):
    def handler(event: dict, context: LambdaContext) -> dict:
        return _run(step_name, event, context)

    handler.__name__ = f"handle_{step_name}"
    return lambda_entry(handler)


handle_understand = _step_handler("understand")
handle_find_slots = _step_handler("find_slots")
handle_choose_slot = _step_handler("choose_slot")
handle_book = _step_handler("book")
handle_write_reply = _step_handler("write_reply")


@lambda_entry
def handle_failure_reply(event: dict, context: LambdaContext) -> dict:
    """The Catch target: the failed state's input plus `caught.<State>` = {Error, Cause}."""
    workflow = dict(event["workflow"])
    caught = workflow.pop("caught", None) or {}
    failed_state, error = next(iter(caught.items()), ("unknown", {}))
    error_type = str(error.get("Error") or "States.TaskFailed")
    state = WorkflowState.model_validate(workflow)
    # The failed state was entered; its code ran unless Lambda itself could not run it.
    state.trail.append(
        StepRecord(
            step=failed_state,
            state=failed_state,
            failed=True,
            ran=not error_type.startswith("Lambda."),
        )
    )
    logger.warning(
        "workflow step failed",
        extra={"state": failed_state, "error_type": error_type, "cause": _cause_type(error)},
    )
    usage = _execution_usage(state)

    def reply() -> WorkflowState:
        with usage.timed_step("failure_reply"):
            return end_with_failure(state, error_type)

    return _recorded("failure_reply", event, usage, reply)


def _cause_type(error: dict) -> str | None:
    """Only the error type from the Cause: its message may quote the person's request."""
    try:
        return json.loads(error.get("Cause") or "{}").get("errorType")
    except (TypeError, ValueError, AttributeError):
        return None


# One module, six functions: only the two model steps import the model SDK, on their first call.
prepare_function(warm=[booking_service, schedule])
