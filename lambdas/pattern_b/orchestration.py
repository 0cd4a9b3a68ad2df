"""Pattern B — workflow, one process.

A fixed sequence of steps runs in order inside one Lambda: understand the message (LLM) →
find free slots → choose a slot → book it for the caller → write the reply (LLM). The model
works *inside* two steps but never chooses the next one; the only branch is fixed code
("nothing bookable" skips choosing and booking). Each step is timed (`usage.steps_ms`) and
logged. A step that fails ends the run with the failure reply: an error response with the
same codes as every pattern, or — if the booking was already made — the booking, reported.

Its neighbour, pattern C, runs the very same step functions (`pattern_core.workflow.steps`) as one
Lambda each, chained by an Express Step Functions state machine: the same work, spread over
processes, with retries, timeouts and the path taken handled by AWS instead of this loop.
Pattern A, on the other side, needs no workflow: one model call, then plain code and a
template reply.
"""

from __future__ import annotations

import time

from aws_lambda_powertools import Logger

from pattern_core.contract import trace
from pattern_core.contract.turn import ChatOutcome, ChatTurn
from pattern_core.workflow.steps import (
    StepContext,
    WorkflowState,
    book,
    choose_slot,
    failure_reply,
    find_slots,
    outcome_of,
    understand,
    write_reply,
)

logger = Logger(child=True)


def run_workflow(turn: ChatTurn, ctx: StepContext) -> ChatOutcome:
    state = WorkflowState(message=turn.message, user_id=turn.user_id)
    try:
        state = _run(understand, state, ctx)
        state = _run(find_slots, state, ctx)
        if state.bookable:  # the one branch, the same as pattern C's Choice state
            state = _run(choose_slot, state, ctx)
            state = _run(book, state, ctx)
        state = _run(write_reply, state, ctx)
    except Exception as exc:  # any step: end with the failure reply, never a silent half-run
        logger.warning(
            "workflow step failed",
            extra={"error_type": type(exc).__name__, "booked": state.booking is not None},
        )
        state = failure_reply(state, type(exc).__name__)
    return outcome_of(state)


def _run(step, state: WorkflowState, ctx: StepContext) -> WorkflowState:
    name = step.__name__
    started = time.perf_counter()
    try:
        with trace.span("step", name):  # the step's model call, if any, lies inside it
            return step(state, ctx)
    finally:
        ms = round((time.perf_counter() - started) * 1000)
        ctx.usage.steps[name] = ms
        logger.info(
            "workflow step",
            extra={
                "step": name,
                "duration_ms": ms,
                "bookable": state.bookable,
                "booked": state.booking is not None,
                "refused": (state.error or {}).get("code"),
            },
        )
