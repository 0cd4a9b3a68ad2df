"""Bookings and slots in words, as every pattern's replies and reports write them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import groupby

from booking.errors import AlreadyBookedThatTime, UnknownCourt
from booking.models import Booking, Slot
from booking.schedule import Schedule


def format_day(day: dt.date | str) -> str:
    """'Thu 3 Dec', as the replies of every pattern write a day."""
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return f"{day:%a} {day.day} {day:%b}"


def describe_slots(slots: Sequence[Slot]) -> str:
    """'14:00 (Court A, Court B), 16:00 (Court C)': free slots grouped by start time, each
    time's courts in the order given — the schedule's order, as the booking service lists
    them — so "the second one" is the second slot this shows."""
    ordered = sorted(slots, key=lambda s: s.time)  # stable: the courts keep their order
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


def sentences(*parts: str) -> str:
    """The parts that say something, one after another."""
    return " ".join(part for part in parts if part)


def other_court_note(asked: str | None, booking: Booking, schedule: Schedule) -> str:
    """'Court B was taken at 15:00.' when `booking` went to another court than the one `asked`
    (patterns A-C then book the first free court at that time, and say so); '' otherwise.
    `asked` is the court as the request named it ('court b', 'B'); a name that is no court
    was refused before anything was booked, so here it asks for nothing."""
    try:
        court = schedule.court(asked) if asked else None
    except UnknownCourt:
        court = None
    if court is None or court == booking.court:
        return ""
    return f"{court} was taken at {booking.time}."
