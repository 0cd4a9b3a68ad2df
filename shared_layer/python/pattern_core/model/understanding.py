"""Understanding a message: the one job patterns A, B and C give the model.

One structured-output call turns free text into a typed `BookingRequest`; everything after it
is plain code. The prompt carries today's date from the schedule's clock, so "tomorrow" means
the same thing to the model and to the booking rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from booking.day_parts import PartOfDay
from booking.schedule import Schedule
from pattern_core.deadline import NO_CONTEXT_SECONDS, Deadline
from pattern_core.model.client import deadline_of_call, record_answer, within_deadline
from pattern_core.usage import UsageMeter

if TYPE_CHECKING:  # only the caller's client calls the model
    from openai import OpenAI

Intent = Literal["check_availability", "book", "move", "list_bookings", "cancel", "other"]


class BookingRequest(BaseModel):
    """What the person wants, as data. Every field the model could not find is null."""

    intent: Intent = Field(
        description="What the person wants to do. move: change an existing booking to another "
        "slot ('move my booking to 4pm', 'actually make it Court B at 2pm', 'change it to "
        "Friday'); the date, time, part_of_day, court and slot_preference then describe the "
        "NEW slot."
    )
    date: str | None = Field(description="The day meant, as YYYY-MM-DD, or null if not stated.")
    time: str | None = Field(description="Start time as HH:MM (24-hour), or null if not stated.")
    part_of_day: PartOfDay | None = Field(
        description="morning, afternoon or evening if stated instead of a time, else null."
    )
    court: str | None = Field(
        description="A court named, as said (e.g. 'Court B', even one that may not exist), or null."
    )
    booking_id: str | None = Field(
        description="A booking id mentioned (to cancel or move), or null."
    )
    slot_preference: int | None = Field(
        description="Which free slot, by position, if said: 1 for 'first available' or 'the "
        "first one', 2 for 'the second one', and so on; null when not said."
    )

    @classmethod
    def saying(cls, intent: Intent, **stated: object) -> BookingRequest:
        """A request with only the fields `stated` (e.g. `saying("book", time="15:00")`);
        every other one null, as the model leaves what a message does not say. (The model's
        schema has no defaults: structured output requires every field.)"""
        unknown = sorted(set(stated) - set(cls.model_fields))
        if unknown:
            raise TypeError(f"BookingRequest has no field {', '.join(unknown)}")
        return cls.model_validate(dict.fromkeys(cls.model_fields) | stated | {"intent": intent})


def system_prompt(schedule: Schedule) -> str:
    times = ", ".join(t.strftime("%H:%M") for t in schedule.start_times)
    return (
        "You turn a tennis-court booking message into structured data. "
        f"{schedule.describe_today()} Courts: {', '.join(schedule.courts)}. "
        f"Slots start at {times} and last {schedule.slot_minutes} minutes. "
        "Resolve relative dates (tomorrow, Friday) to YYYY-MM-DD and times (3pm) to HH:MM. "
        "'Book tomorrow afternoon' is a booking with part_of_day afternoon and no time; "
        "'first available' or 'first slot' is slot_preference 1, 'the second one' 2. "
        "Changing a booking already made ('move it to 4pm', 'make it Court B') is a move, "
        "and its date, time, court and part_of_day describe the new slot. "
        "Never invent a date, time or court the message does not state."
    )


def understand(
    client: OpenAI,
    model: str,
    schedule: Schedule,
    message: str,
    usage: UsageMeter,
    deadline: Deadline | None = None,
) -> BookingRequest:
    """One model call, inside the request's `deadline` (DeadlineExceeded when it runs out).
    Raises openai errors as they are; the HTTP layer maps them."""
    deadline = deadline or Deadline.after(NO_CONTEXT_SECONDS)
    with deadline_of_call(deadline, "understanding the message") as call:
        completion = within_deadline(client, deadline).chat.completions.parse(
            model=model,
            messages=[
                {"role": "system", "content": system_prompt(schedule)},
                {"role": "user", "content": message},
            ],
            response_format=BookingRequest,
        )
        record_answer(call, completion)
    usage.record_model_call(completion.usage)
    parsed = completion.choices[0].message.parsed
    if parsed is None:  # a refusal: treat as "other" rather than guessing
        return BookingRequest.saying("other")
    return parsed
