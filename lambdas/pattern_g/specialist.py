"""One pattern G specialist at work: a request in, a report out (its own Lambda).

The invoke payload is `{"request": str, "user_id": str, "budget": {"bookings": int,
"cancellations": int}}`. Only the manager's role may invoke this function (IAM), and the
manager's *code* — never its model — writes `user_id` from the verified caller and `budget`
from what the turn may still do, so the specialist can trust both; it enforces the budget with
its own `TurnEffects` (a refused write ends its run). The report carries what the manager needs
to account honestly: the reply, every booking and cancellation made (in order; `booking` is the
first), whether the budget refused a write (`budget_spent_by`), the tools run and the
SDK-measured usage of this function's own model calls.
"""

from __future__ import annotations

from typing import Annotated

import openai
from agents.models.interface import Model
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from booking.effects import TurnEffects, WriteBudget
from booking.service import BookingService
from pattern_core.agent_runtime.runtime import TurnLimit, run_agent
from pattern_core.agent_runtime.specialists import Specialist
from pattern_core.agent_runtime.tools import TurnContext
from pattern_core.contract.turn import ChatError
from pattern_core.deadline import Deadline, DeadlineExceeded
from pattern_core.model.client import ModelNotConfigured
from pattern_core.usage import UsageMeter

MAX_TURNS = 6


class Budget(BaseModel):
    """What the manager's turn may still book and cancel."""

    model_config = ConfigDict(extra="forbid", strict=True)

    bookings: Annotated[int, Field(ge=0)]
    cancellations: Annotated[int, Field(ge=0)]


class SpecialistRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    request: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    user_id: Annotated[str, StringConstraints(min_length=1, max_length=2048)]
    # Required: a payload without it would let a specialist write without a limit.
    budget: Budget
    # How long the manager will wait for this answer (its time left, capped).
    seconds_left: Annotated[float, Field(gt=0, le=900)] | None = None
    # The manager's turn is traced: report this run's own trace events (`trace` in the report).
    trace: bool = False


async def serve(
    specialist: Specialist,
    request: SpecialistRequest,
    service: BookingService,
    model: Model | None = None,
    max_turns: int = MAX_TURNS,
    deadline: Deadline | None = None,
) -> dict:
    budget = WriteBudget(request.budget.bookings, request.budget.cancellations)
    context = TurnContext(request.user_id, service, TurnEffects(budget))
    effects = context.effects
    meter = UsageMeter()
    report: dict = {}
    try:
        result = await run_agent(
            specialist.agent(service.schedule),
            request.request,
            context=context,
            usage=meter,
            max_turns=max_turns,
            model=model,
            workflow=f"Pattern G: {specialist.key} specialist",
            deadline=deadline,
        )
        report["reply"] = str(result.final_output or "")
    except TurnLimit:
        report["error"] = {
            "code": "loop_limit",
            "message": f"The {specialist.key} specialist did not finish within {max_turns} turns.",
        }
    except ChatError as exc:
        report["error"] = {"code": exc.code, "message": exc.message}
    except ModelNotConfigured as exc:  # names the missing secret, never a value
        report["error"] = {"code": "model_not_configured", "message": str(exc)}
    except DeadlineExceeded:  # what it did so far is still reported below
        report["error"] = {
            "code": "deadline_exceeded",
            "message": f"The {specialist.key} specialist ran out of time.",
        }
    except openai.APIError as exc:
        report["error"] = {
            "code": "model_error",
            "message": f"Model call failed ({type(exc).__name__}).",
        }
    report |= {
        "booking": effects.bookings[0].public() if effects.bookings else None,
        "bookings": [b.public() for b in effects.bookings],
        "cancellations": [b.public() for b in effects.cancellations],
        "budget_spent_by": effects.ended_by,
        "tool_calls": list(context.tool_calls),
        "usage": meter.snapshot().model_dump(),
    }
    return report
