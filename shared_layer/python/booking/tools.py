"""The tool contract: the four booking operations as typed tools.

One definition feeds every pattern that lets something other than our code pick the
operation: OpenAI tool schemas (D), Agents SDK function tools (E-G), Step Functions task
payloads (C) and the Bedrock action group (H). Arguments are validated by the same pydantic
models everywhere. The caller's identity is *not* an argument: `invoke` takes it from the
verified request, and any `user_id` a model adds to the arguments is dropped.

Every call also takes the turn's `TurnEffects`: a write (book, cancel) claims the turn's budget
first, gives the claim back when the booking rules refuse it, and is recorded when it happens;
past the budget the tool answers with an error a model can act on and the turn is marked ended,
for the orchestration to stop.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from booking.effects import TurnEffects, Write
from booking.errors import BookingError
from booking.models import Booking
from booking.service import BookingService


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")  # schema says additionalProperties: false


class CheckAvailabilityArgs(_Args):
    date: str = Field(description="Day to check, YYYY-MM-DD, in the courts' time zone.")
    time: str | None = Field(
        description="Only slots starting at this time (HH:MM, 24-hour), or null for the whole day."
    )


class BookSlotArgs(_Args):
    slot_id: str = Field(
        description="The slot to book, exactly as returned by check_availability, "
        "e.g. 2026-11-24_CourtB_1500."
    )


class ListBookingsArgs(_Args):
    pass


class CancelBookingArgs(_Args):
    booking_id: str = Field(
        description="The booking to cancel, as returned by book_slot or list_bookings."
    )


def _check(service: BookingService, user_id: str, args: CheckAvailabilityArgs) -> dict:
    slots = service.check_availability(args.date, args.time)
    return {"date": args.date, "time": args.time, "free_slots": [s.model_dump() for s in slots]}


def _book(service: BookingService, user_id: str, args: BookSlotArgs) -> dict:
    return {"booking": service.book(args.slot_id, user_id).public()}


def _list(service: BookingService, user_id: str, args: ListBookingsArgs) -> dict:
    return {"bookings": [b.public() for b in service.list_bookings(user_id)]}


def _cancel(service: BookingService, user_id: str, args: CancelBookingArgs) -> dict:
    return {"cancelled": service.cancel(args.booking_id, user_id).public()}


@dataclass(frozen=True)
class BookingTool:
    name: str
    description: str
    args_model: type[_Args]
    run: Callable[[BookingService, str, Any], dict]
    write: Write | None = None  # what the tool changes, if anything (spends the turn's budget)

    def parameters_schema(self) -> dict:
        """JSON schema of the arguments, valid for OpenAI strict mode (all keys required,
        optional ones nullable, no additional properties)."""
        schema = self.args_model.model_json_schema()
        schema.pop("title", None)
        for prop in schema.get("properties", {}).values():
            prop.pop("title", None)
        schema["required"] = list(schema.get("properties", {}))
        schema["additionalProperties"] = False
        return schema

    def chat_completions_schema(self) -> dict:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters_schema(),
                "strict": True,
            },
        }

    def parse_arguments(self, arguments: str | dict | None) -> _Args:
        """Validate a model's arguments. Unknown keys (a made-up `user_id`, say) are dropped,
        not trusted; anything else invalid raises ValidationError or ValueError."""
        raw = json.loads(arguments or "{}") if isinstance(arguments, str) else (arguments or {})
        if not isinstance(raw, dict):
            raise ValueError("tool arguments must be a JSON object")
        known = {k: v for k, v in raw.items() if k in self.args_model.model_fields}
        return self.args_model.model_validate(known)

    def invoke(
        self,
        service: BookingService,
        user_id: str,
        arguments: str | dict | None,
        *,
        effects: TurnEffects,
    ) -> dict:
        """Run the tool for the verified caller within the turn's write budget. Returns the
        result, or `{"error": …}` with a message a model (or person) can act on — a bad call
        never raises into the loop. Writes made are recorded in `effects`."""
        try:
            args = self.parse_arguments(arguments)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'arguments'}: {err['msg']}"
                for err in exc.errors()
            )
            return _error("invalid_arguments", f"Invalid arguments for {self.name}: {problems}.")
        except ValueError as exc:
            return _error("invalid_arguments", f"Invalid arguments for {self.name}: {exc}.")
        if self.write is not None and not effects.claim(self.write):
            return effects.refusal(self.write)
        try:
            result = self.run(service, user_id, args)
        except BookingError as exc:
            if self.write is not None:
                effects.release(self.write)  # refused by the rules: nothing was spent
            return {"error": exc.to_dict()}
        # Anything else (a store failure) keeps the claim: the write may have happened.
        if self.write == "book":
            effects.booked(Booking.model_validate(result["booking"]))
        elif self.write == "cancel":
            effects.cancelled(Booking.model_validate(result["cancelled"]))
        return result


def _error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


CHECK_AVAILABILITY = BookingTool(
    "check_availability",
    "List free court slots on a day (optionally only at one start time). Returns slot ids to "
    "book with book_slot.",
    CheckAvailabilityArgs,
    _check,
)
BOOK_SLOT = BookingTool(
    "book_slot",
    "Book one free slot for the current user. If it is taken, the error lists free alternatives.",
    BookSlotArgs,
    _book,
    write="book",
)
LIST_BOOKINGS = BookingTool(
    "list_bookings", "List the current user's bookings.", ListBookingsArgs, _list
)
CANCEL_BOOKING = BookingTool(
    "cancel_booking",
    "Cancel one of the current user's bookings.",
    CancelBookingArgs,
    _cancel,
    write="cancel",
)

TOOLS: tuple[BookingTool, ...] = (CHECK_AVAILABILITY, BOOK_SLOT, LIST_BOOKINGS, CANCEL_BOOKING)
TOOLS_BY_NAME: dict[str, BookingTool] = {tool.name: tool for tool in TOOLS}


def invoke_tool(
    name: str, service: BookingService, user_id: str, arguments: Any, *, effects: TurnEffects
) -> dict:
    tool = TOOLS_BY_NAME.get(name)
    if tool is None:
        return _error(
            "unknown_tool", f"There is no tool '{name}'; tools are {list(TOOLS_BY_NAME)}."
        )
    return tool.invoke(service, user_id, arguments, effects=effects)
