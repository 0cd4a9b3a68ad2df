"""The tool contract: the booking operations as typed tools.

One definition feeds every pattern that lets something other than our code pick the
operation: OpenAI tool schemas (D), Agents SDK function tools (E-G), Step Functions task
payloads (C) and the Bedrock action group (H). Arguments are validated by the same pydantic
models everywhere. The caller's identity is *not* an argument: `invoke` takes it from the
verified request, and any `user_id` a model adds to the arguments is dropped.

Every call also takes the turn's `TurnEffects`: a write (book, cancel; a move is one of each)
claims the turn's budget first, gives the claim back when the booking rules refuse it, and is
recorded when it happens;
past the budget the tool answers with an error a model can act on and the turn is marked ended,
for the orchestration to stop.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from booking.day_parts import PartOfDay
from booking.effects import TurnEffects, Write
from booking.errors import BookingError
from booking.models import Booking
from booking.service import BookingService, SlotQuery


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")  # schema says additionalProperties: false


_DATE = "Day, YYYY-MM-DD, in the courts' time zone."
_PART_OF_DAY = "morning (before 12:00), afternoon (12:00-17:00) or evening (17:00 on), or null."


class CheckAvailabilityArgs(_Args):
    date: str = Field(description="Day to check, YYYY-MM-DD, in the courts' time zone.")
    time: str | None = Field(
        description="Only slots starting at this time (HH:MM, 24-hour), or null for the whole day."
    )
    part_of_day: PartOfDay | None = Field(
        description="Only slots in this part of the day: " + _PART_OF_DAY
    )


class _Target(_Args):
    """Which free slot to take: a slot id, or a day narrowed by time, court, part of day and
    picked by position (1-based, in check_availability's order: start time, then court)."""

    slot_id: str | None = Field(
        description="A slot id exactly as returned by check_availability, e.g. "
        "2026-11-24_CourtB_1500 (other fields then null, or agreeing with it); or null to "
        "describe the slot with date/time/court/part_of_day/position instead."
    )
    date: str | None = Field(description=_DATE)
    time: str | None = Field(description="Start time HH:MM (24-hour), or null for any start time.")
    court: str | None = Field(
        description="Court name, e.g. 'Court B', or null for the first free court."
    )
    part_of_day: PartOfDay | None = Field(description="Only slots in " + _PART_OF_DAY)
    position: int | None = Field(
        description="Which of the matching free slots, 1-based, in check_availability's order "
        "(start time, then court): 1 = the first available, 2 = the second one; null means 1."
    )

    @field_validator("position")
    @classmethod
    def _positive(cls, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise ValueError("position counts from 1 (1 = the first free slot)")
        return value

    def target(self) -> SlotQuery:
        return SlotQuery(
            slot_id=self.slot_id,
            date=self.date,
            time=self.time,
            court=self.court,
            part_of_day=self.part_of_day,
            position=self.position,
        )


class BookSlotArgs(_Target):
    @model_validator(mode="after")
    def _says_which(self) -> BookSlotArgs:
        if self.slot_id is None and self.date is None:
            raise ValueError("give slot_id, or date (with time/court/part_of_day/position)")
        return self


class MoveBookingArgs(_Target):
    booking_id: str = Field(
        description="The booking to move, as returned by book_slot or list_bookings."
    )


class ListBookingsArgs(_Args):
    pass


class CancelBookingArgs(_Args):
    booking_id: str = Field(
        description="The booking to cancel, as returned by book_slot or list_bookings."
    )


def _check(service: BookingService, user_id: str, args: CheckAvailabilityArgs) -> dict:
    slots = service.check_availability(args.date, args.time, args.part_of_day)
    return {
        "date": args.date,
        "time": args.time,
        "part_of_day": args.part_of_day,
        "free_slots": [s.model_dump() for s in slots],
    }


def _book(service: BookingService, user_id: str, args: BookSlotArgs) -> dict:
    return {"booking": service.book_slot(args.target(), user_id).public()}


def _move(service: BookingService, user_id: str, args: MoveBookingArgs) -> dict:
    moved = service.move(args.booking_id, args.target(), user_id)
    return {
        "booking": moved.booking.public(),
        "cancelled": moved.cancelled.public() if moved.cancelled else None,
    }


def _list(service: BookingService, user_id: str, args: ListBookingsArgs) -> dict:
    return {"bookings": [b.public() for b in service.list_bookings(user_id)]}


def _cancel(service: BookingService, user_id: str, args: CancelBookingArgs) -> dict:
    return {"cancelled": service.cancel(args.booking_id, user_id).public()}


# What each kind of write leaves in a tool's result: the booking made, the booking cancelled.
_RECORD_KEY: dict[Write, str] = {"book": "booking", "cancel": "cancelled"}


@dataclass(frozen=True)
class BookingTool:
    name: str
    description: str
    args_model: type[_Args]
    run: Callable[[BookingService, str, Any], dict]
    writes: tuple[Write, ...] = ()  # what the tool may change (each spends the turn's budget)

    @property
    def is_read(self) -> bool:
        return not self.writes

    def parameters_schema(self) -> dict:
        """JSON schema of the arguments, valid for OpenAI strict mode (all keys required,
        optional ones nullable, no additional properties)."""
        schema = self.args_model.model_json_schema()
        schema.pop("title", None)
        schema.pop("description", None)
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
        not trusted, and a nullable argument left out means null; anything else invalid raises
        ValidationError or ValueError."""
        raw = json.loads(arguments or "{}") if isinstance(arguments, str) else (arguments or {})
        if not isinstance(raw, dict):
            raise ValueError("tool arguments must be a JSON object")
        fields = self.args_model.model_fields
        omitted = {n: None for n, f in fields.items() if type(None) in get_args(f.annotation)}
        known = omitted | {k: v for k, v in raw.items() if k in fields}
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
        never raises into the loop. Writes made are recorded in `effects`; a claim whose write
        did not happen is given back."""
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
        claimed: list[Write] = []
        for write in self.writes:
            if not effects.claim(write):
                for done in claimed:
                    effects.release(done)
                return effects.refusal(write)
            claimed.append(write)
        try:
            result = self.run(service, user_id, args)
        except BookingError as exc:
            for write in claimed:
                effects.release(write)  # refused by the rules: nothing was spent
            return {"error": exc.to_dict()}
        # Anything else (a store failure) keeps the claims: the writes may have happened.
        for write in claimed:
            made = result.get(_RECORD_KEY[write])
            if made is None:
                effects.release(write)
            elif write == "book":
                effects.booked(Booking.model_validate(made))
            else:
                effects.cancelled(Booking.model_validate(made))
        return result


def _error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


CHECK_AVAILABILITY = BookingTool(
    "check_availability",
    "List free court slots on a day, optionally only at one start time or in one part of the "
    "day, ordered by start time then court (that order is what book_slot's position counts). "
    "Returns slot ids to book with book_slot.",
    CheckAvailabilityArgs,
    _check,
)
BOOK_SLOT = BookingTool(
    "book_slot",
    "Book one free slot for the current user, in one call: give slot_id, or date plus any of "
    "time (court optional: the first free court at that time), court, part_of_day (the "
    "earliest free slot in it) and position (the Nth free match; date alone with position 1 "
    "is the first available). If nothing matches, the error says why and lists free "
    "alternatives.",
    BookSlotArgs,
    _book,
    writes=("book",),
)
MOVE_BOOKING = BookingTool(
    "move_booking",
    'Move one of the current user\'s bookings to another slot ("actually make it Court B", '
    '"move it to 4pm"): books the new slot first, then cancels the old one. Target as for '
    "book_slot; a missing date means the booking's own day, and with no time, part_of_day or "
    "position its own start time. If the new slot cannot be booked, the old booking stays.",
    MoveBookingArgs,
    _move,
    writes=("book", "cancel"),
)
LIST_BOOKINGS = BookingTool(
    "list_bookings", "List the current user's bookings.", ListBookingsArgs, _list
)
CANCEL_BOOKING = BookingTool(
    "cancel_booking",
    "Cancel one of the current user's bookings.",
    CancelBookingArgs,
    _cancel,
    writes=("cancel",),
)

TOOLS: tuple[BookingTool, ...] = (
    CHECK_AVAILABILITY,
    BOOK_SLOT,
    MOVE_BOOKING,
    LIST_BOOKINGS,
    CANCEL_BOOKING,
)
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
