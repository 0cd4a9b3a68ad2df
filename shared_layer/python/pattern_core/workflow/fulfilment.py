"""Plain-code steps over a typed request: find free slots, choose one, say what happened.

Pattern A calls these directly after its single model call; the workflows (B, C) run the same
functions as steps. No model is involved here — this is "your code decides".
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from booking.day_parts import in_part_of_day
from booking.errors import AlreadyBookedThatTime, InvalidRequest
from booking.models import Booking, Slot, court_key, parse_date, parse_time
from booking.schedule import Schedule
from booking.service import BookingService
from booking.store import Ledger
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


def choose_slot(free: list[Slot], request: BookingRequest) -> Slot | None:
    """The slot to book among `free` (as `find_slots` returned them):

    - with a start time: that time, on the preferred court if it is free there, else the
      first free court (or the Nth with `slot_preference`);
    - with a part of the day and no time: its earliest free slot (or the Nth);
    - with `slot_preference` alone: the Nth free slot of the day ("first available" = 1);
    - otherwise None: nothing to book yet — ask which time, offering the free slots.

    A preferred court narrows the choice when it has a free slot that fits, else any court
    does. None also when fewer slots fit than the position asked for."""
    if request.time:
        at = parse_time(request.time).strftime("%H:%M")
        fitting = [slot for slot in free if slot.time == at]
    elif request.part_of_day or request.slot_preference:
        fitting = [slot for slot in free if in_part_of_day(slot.start, request.part_of_day)]
    else:
        return None
    if request.court:
        on_court = [s for s in fitting if _same_court(request.court, s.court)]
        fitting = on_court or fitting
    position = max(request.slot_preference or 1, 1)
    return fitting[position - 1] if len(fitting) >= position else None


def _same_court(name: str, court: str) -> bool:
    """'Court B', 'court b', 'CourtB' or 'B' all name Court B (as `Schedule.court` reads them)."""
    wanted = court_key(name.strip()).lower()
    return wanted in (court_key(court).lower(), court.split()[-1].lower())


def format_day(day: dt.date | str) -> str:
    """'Thu 3 Dec', as the replies of every pattern write a day."""
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return f"{day:%a} {day.day} {day:%b}"


def describe_slots(slots: list[Slot]) -> str:
    """'14:00 (Court A, Court B), 16:00 (Court C)': free slots grouped by start time."""
    ordered = sorted(slots, key=lambda s: (s.time, s.court))
    return ", ".join(
        f"{time} ({', '.join(s.court for s in group)})"
        for time, group in groupby(ordered, key=lambda s: s.time)
    )


def describe_booking(booking: Booking) -> str:
    return (
        f"{booking.court} on {format_day(booking.date)} at {booking.time} "
        f"(booking id {booking.booking_id})"
    )


def already_booked_reply(already: AlreadyBookedThatTime) -> str:
    """A second "book 15:00" from someone who holds 15:00: the booking they already have."""
    return (
        f"You already have {describe_booking(already.held)}; one person can book one court "
        "per start time, so nothing new was booked."
    )
