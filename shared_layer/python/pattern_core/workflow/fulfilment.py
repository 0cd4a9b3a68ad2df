"""Plain code over a typed request: the day and time it names, and the free slots that fit.

Pattern A calls these directly after its single model call; the workflows (B, C) run the same
functions as steps, then choose among the slots with `booking.slot_choice.choose_slot` and
word the outcome with `booking.wording`. No model is involved here — this is "your code
decides".
"""

from __future__ import annotations

import datetime as dt

from booking.errors import InvalidRequest
from booking.models import Slot, parse_date, parse_time
from booking.schedule import Schedule
from booking.service import BookingService, SlotQuery
from booking.store import Ledger
from booking.wording import format_day
from pattern_core.model.understanding import BookingRequest


def requested_day(request: BookingRequest, schedule: Schedule) -> dt.date:
    if not request.date:
        first, last = schedule.bookable_days()[0], schedule.bookable_days()[-1]
        raise InvalidRequest(
            f"Which day? Courts can be booked from {format_day(first)} to {format_day(last)}."
        )
    return parse_date(request.date)


def requested_time(request: BookingRequest) -> dt.time | None:
    return parse_time(request.time) if request.time else None


def find_slots(service: BookingService, request: BookingRequest) -> list[Slot]:
    """Free slots matching the request: its day, and its time or part of day if stated, in
    availability order (start time, then court). A court named that does not exist is refused
    by name (UnknownCourt), never swapped for another."""
    return _find(service, request, None)[0]


def find_slots_to_book(
    service: BookingService, request: BookingRequest, user_id: str
) -> tuple[list[Slot], Ledger | None]:
    """`find_slots` for a booking by `user_id`: with a start time, the caller's ledger comes
    from the same read (`BookingService.free_at`), for `service.book(..., ledger=)` — one
    DynamoDB call fewer; None otherwise."""
    return _find(service, request, user_id)


def _find(
    service: BookingService, request: BookingRequest, user_id: str | None
) -> tuple[list[Slot], Ledger | None]:
    day = requested_day(request, service.schedule)
    start = requested_time(request)
    if request.court:
        service.schedule.court(request.court)
    if start is not None:
        # "Book today at 9" after 9 must say so, not report the time as fully booked.
        service.schedule.check_time(start)
        service.schedule.check_bookable(Slot.of(day, service.schedule.courts[0], start))
        if user_id is not None:
            return service.free_at(day, start, user_id)
        return service.free_slots(day, start), None
    return service.free_slots(day, part_of_day=request.part_of_day), None


def slot_query(request: BookingRequest) -> SlotQuery:
    """The slot a request describes, as the booking rules read one (a time wins over a part of
    the day; the position is the request's slot preference)."""
    return SlotQuery(
        date=request.date,
        time=request.time,
        court=request.court,
        part_of_day=None if request.time else request.part_of_day,
        position=request.slot_preference,
    )


def refuse_position(service: BookingService, request: BookingRequest) -> None:
    """Raise the booking rules' refusal of a position beyond the free slots that fit ("only 3
    slots are free …, so there is no number 4"), with those slots as its alternatives: the
    refusal every pattern gives, never "fully booked" while slots are free. Returns only if a
    slot freed up since the read (the caller then lists what is free)."""
    service.find_slot(slot_query(request))
