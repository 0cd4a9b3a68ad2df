"""Value objects of the booking domain: a slot on the schedule and a booking of one."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict

from booking.errors import InvalidRequest

_SLOT_ID = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})_(?P<court>[A-Za-z0-9]+)_(?P<hhmm>\d{4})$")
_BOOKING_ID = re.compile(r"^(?P<slot>[^.]+)\.(?P<token>[0-9a-f]{8})$")


def court_key(court: str) -> str:
    """'Court B' -> 'CourtB': the court as it appears inside a slot id."""
    return court.replace(" ", "")


class Slot(BaseModel):
    """One bookable hour on one court. `slot_id` is `{date}_{court without space}_{HHMM}`."""

    model_config = ConfigDict(frozen=True)

    slot_id: str
    court: str
    date: str  # ISO date, in the courts' time zone
    time: str  # HH:MM start

    @classmethod
    def of(cls, day: dt.date, court: str, start: dt.time) -> Slot:
        slot_id = f"{day.isoformat()}_{court_key(court)}_{start.strftime('%H%M')}"
        return cls(slot_id=slot_id, court=court, date=day.isoformat(), time=start.strftime("%H:%M"))

    @property
    def day(self) -> dt.date:
        return dt.date.fromisoformat(self.date)

    @property
    def start(self) -> dt.time:
        return dt.time.fromisoformat(self.time)


class Booking(BaseModel):
    """A slot held by one user. `booking_id` is `{slot_id}.{8 hex}`: it names the slot's key,
    so a cancel is one conditional delete, and a re-booked slot gets a new id."""

    model_config = ConfigDict(frozen=True)

    booking_id: str
    slot_id: str
    court: str
    date: str
    time: str

    def public(self) -> dict:
        """The booking as shown to users and models (the owner is never echoed back)."""
        return self.model_dump()


def start_key(held: Slot | Booking) -> str:
    """'2026-11-24T15:00': the start time a slot or booking occupies. One caller holds at most
    one court per start time, so this is the key of their ledger (booking.store)."""
    return f"{held.date}T{held.time}"


def parse_slot_id(slot_id: str) -> tuple[dt.date, str, dt.time]:
    """Split a slot id into (date, court key, start). Raises InvalidRequest on any malformed id;
    whether the slot is on the schedule is the schedule's call, not this function's."""
    match = _SLOT_ID.match(slot_id.strip()) if isinstance(slot_id, str) else None
    if not match:
        raise InvalidRequest(
            f"'{slot_id}' is not a slot id; slot ids look like 2026-11-24_CourtB_1500."
        )
    try:
        day = dt.date.fromisoformat(match["date"])
        start = dt.datetime.strptime(match["hhmm"], "%H%M").time()
    except ValueError as exc:
        raise InvalidRequest(
            f"'{slot_id}' is not a valid slot id: it names no real date and time."
        ) from exc
    return day, match["court"], start


def slot_id_of_booking(booking_id: str) -> str:
    match = _BOOKING_ID.match(booking_id.strip()) if isinstance(booking_id, str) else None
    if not match:
        raise InvalidRequest(
            f"'{booking_id}' is not a booking id; booking ids look like "
            "2026-11-24_CourtB_1500.a1b2c3d4."
        )
    parse_slot_id(match["slot"])
    return match["slot"]


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except (AttributeError, ValueError) as exc:
        raise InvalidRequest(f"'{value}' is not a date; use YYYY-MM-DD.") from exc


def parse_time(value: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value.strip())
    except (AttributeError, ValueError) as exc:
        raise InvalidRequest(f"'{value}' is not a time; use HH:MM (24-hour).") from exc
