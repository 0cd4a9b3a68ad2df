"""Pattern C — workflow, multi-process: the API Lambda in front of the state machine.

The same fixed steps as pattern B (`pattern_core.workflow.steps`), but each step is its own Lambda
and an Express Step Functions state machine decides, from its definition, which runs next:
a Choice skips choosing and booking when nothing is bookable; retries with backoff cover
transient Lambda errors; every task has a timeout; a Catch on every task ends in the failure
reply. This function only starts the execution synchronously (`StartSyncExecution`) with the
message and the caller's verified identity, then turns its output into the /chat answer —
so the HTTP contract is byte-for-byte pattern B's.

Usage is the execution's own account of itself: each step records its run in the state's
`trail` and adds its model usage (Express executions have no history API, and
StartSyncExecution reports only billing). Locally and in tests the same definition runs in
moto's Step Functions interpreter, whose history confirms these counts.
"""

from __future__ import annotations

import json
import uuid

import boto3
from aws_lambda_powertools import Logger
from botocore.exceptions import ReadTimeoutError

from pattern_core.collaborators import per_container
from pattern_core.contract import trace
from pattern_core.contract.entry import chat_handler
from pattern_core.contract.turn import ChatError, ChatOutcome, ChatTurn
from pattern_core.deadline import DeadlineExceeded, single_attempt_config
from pattern_core.workflow.steps import WorkflowState, outcome_of, record_execution
from settings import Settings

logger = Logger()


def execution_read_timeout() -> float:
    """StartSyncExecution's own cap: above the execution's TimeoutSeconds, so a timed-out
    execution still answers (TIMED_OUT), and below this function's timeout (stacks/timeouts.py)."""
    return Settings.from_env().sfn_read_timeout_seconds


@per_container
def stepfunctions(read_timeout: float):
    # No SDK retries: a retried StartSyncExecution whose first answer was lost would run the
    # whole workflow again and could book a second court. The execution itself retries
    # transient Lambda errors, per task. One client per read timeout (the request's time left,
    # in half seconds: `Deadline.client_timeout`).
    return boto3.client("stepfunctions", config=single_attempt_config(read_timeout))


OUT_OF_TIME = "The booking workflow did not finish in time; check your bookings before retrying."


def orchestrate(turn: ChatTurn) -> ChatOutcome:
    # A token per request: if Step Functions retries the Book task after its write landed,
    # the retry finds that booking instead of booking another court.
    start = WorkflowState(
        message=turn.message, user_id=turn.user_id, request_token=uuid.uuid4().hex
    )
    read_timeout = turn.deadline.client_timeout(execution_read_timeout(), "the workflow")
    try:
        # Traced as one step: the execution's states (recorded below, from its trail) lie
        # inside it, and what is left of it is Step Functions' own time and the step Lambdas'.
        with (
            turn.deadline.bounding("the workflow"),
            trace.span("step", "StartSyncExecution") as traced,
        ):
            response = stepfunctions(read_timeout).start_sync_execution(
                stateMachineArn=Settings.from_env().required("state_machine_arn"),
                input=start.model_dump_json(),
            )
            traced["status"] = response.get("status")
    except (DeadlineExceeded, ReadTimeoutError) as exc:
        # The execution may still be running and may still book: say so, not "nothing".
        logger.error("workflow answer not received in time", extra={"error": type(exc).__name__})
        raise ChatError(504, "deadline_exceeded", OUT_OF_TIME) from None
    status = response.get("status")
    if status != "SUCCEEDED":
        # Every task has a Catch, so this is the whole execution timing out or failing
        # outside a task: whether the Book step ran is unknown.
        logger.error("workflow execution did not succeed", extra={"status": status})
        if status == "TIMED_OUT":
            raise ChatError(504, "deadline_exceeded", OUT_OF_TIME)
        raise ChatError(
            502,
            "workflow_failed",
            "The booking workflow did not finish; check your bookings before retrying.",
        )
    state = WorkflowState.model_validate(json.loads(response["output"]))
    record_execution(state, turn.usage)
    logger.info(
        "workflow finished",
        extra={
            "billing": response.get("billingDetails"),
            "steps": [r.step for r in state.trail],
            "failed": state.failure.code if state.failure else None,
        },
    )
    return outcome_of(state)


# No model call here (two of the steps make them), so the model SDK is never imported. Before a
# SnapStart snapshot the Step Functions client is built.
app, handler = chat_handler(
    "C", orchestrate, warm=[lambda: stepfunctions(execution_read_timeout())]
)
