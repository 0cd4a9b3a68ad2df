"""Pattern G's specialist Lambdas: one module, two entry points, one role each.

`availability_handler` and `booking_handler` are deployed as two functions; each is invoked
only by the manager (`lambda:InvokeFunction`), never by API Gateway.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from pattern_core.agent_runtime.runtime import run_sync
from pattern_core.agent_runtime.specialists import AVAILABILITY, BOOKING, Specialist
from pattern_core.collaborators import booking_service
from pattern_core.contract import trace
from pattern_core.contract.entry import lambda_entry, prepare_function
from pattern_core.deadline import MARGIN_SECONDS, Deadline
from pattern_g.specialist import SpecialistRequest, serve


def _handle(specialist: Specialist, event: dict, context: LambdaContext) -> dict:
    try:
        request = SpecialistRequest.model_validate(event)
    except ValidationError:
        return {
            "error": {
                "code": "invalid_request",
                "message": "The payload must be {request, user_id, budget, seconds_left?, trace?}.",
            },
            "booking": None,
            "bookings": [],
            "cancellations": [],
            "budget_spent_by": None,
            "tool_calls": [],
            "usage": {"requests": 0, "input_tokens": 0, "output_tokens": 0},
        }
    # Its own time, or the time the manager said it will wait, whichever ends first.
    deadline = Deadline.from_lambda_context(context).sooner(
        None if request.seconds_left is None else request.seconds_left - MARGIN_SECONDS
    )
    # Its own recorder, or none: run in the manager's process (locally), it must not write
    # into the manager's trace; the manager adds what this one reports.
    with trace.recording(request.trace) as recorder:
        report = run_sync(serve(specialist, request, booking_service(), deadline=deadline))
    if recorder is not None:
        report["trace"] = recorder.events()
    return report


@lambda_entry
def availability_handler(event: dict, context: LambdaContext) -> dict:
    return _handle(AVAILABILITY, event, context)


@lambda_entry
def booking_handler(event: dict, context: LambdaContext) -> dict:
    return _handle(BOOKING, event, context)


prepare_function(warm=[booking_service])
