"""Pattern C — workflow, multi-process: the API Lambda in front of the state machine.

The same fixed steps as pattern B (`pattern_core.workflow`), but each step is its own Lambda
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

import functools
import json
import os
import uuid

import boto3
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from pattern_core.http import ChatError, ChatOutcome, ChatTurn, build_chat_app
from pattern_core.workflow import WorkflowState, outcome_of, record_execution

logger = Logger()
tracer = Tracer()


@functools.cache
def stepfunctions():
    # No SDK retries: a retried StartSyncExecution whose first answer was lost would run the
    # whole workflow again and could book a second court. The execution itself retries
    # transient Lambda errors, per task. The read timeout outlasts the execution's 28 s.
    return boto3.client(
        "stepfunctions", config=Config(retries={"total_max_attempts": 1}, read_timeout=30)
    )


@tracer.capture_method
def orchestrate(turn: ChatTurn) -> ChatOutcome:
    # A token per request: if Step Functions retries the Book task after its write landed,
    # the retry finds that booking instead of booking another court.
    start = WorkflowState(
        message=turn.message, user_id=turn.user_id, request_token=uuid.uuid4().hex
    )
    response = stepfunctions().start_sync_execution(
        stateMachineArn=os.environ["STATE_MACHINE_ARN"],
        input=start.model_dump_json(),
    )
    status = response.get("status")
    if status != "SUCCEEDED":
        # Every task has a Catch, so this is the whole execution timing out or failing
        # outside a task: whether the Book step ran is unknown.
        logger.error("workflow execution did not succeed", extra={"status": status})
        code, http = (
            ("workflow_timeout", 504) if status == "TIMED_OUT" else ("workflow_failed", 502)
        )
        raise ChatError(
            http, code, "The booking workflow did not finish; check your bookings before retrying."
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


app = build_chat_app("C", orchestrate)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
