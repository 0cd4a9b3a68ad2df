"""The booking service: the four operations every pattern ends up calling.

Whoever decides *which* operation runs (plain code, a workflow, a model, a managed agent),
the rules live here: slots must be on the schedule, inside the window and not started; one
booking per slot; only the owner may cancel. `user_id` is always an argument from the verified
request identity — never something a model supplied.
"""

from __future__ import annotations

import datetime as dt
import secrets

from booking.errors import InvalidRequest, SlotTaken
from booking.models import Booking, Slot, parse_date, parse_time, slot_id_of_booking
from booking.schedule import Schedule
from booking.store import BookingStore, DynamoBookingStore, SlotAlreadyBooked


def _require_user(user_id: str) -> str:
    if not user_id or not isinstance(user_id, str):
        raise InvalidRequest("No caller identity: bookings need a verified user.")
    return user_id


class BookingService:
    def __init__(self, store: BookingStore, schedule: Schedule) -> None:
        self.store = store
        self.schedule = schedule

    @classmethod
    def from_env(cls) -> BookingService:
        return cls(DynamoBookingStore.from_env(), Schedule.from_env())

    # -- queries ---------------------------------------------------------------------------
    def free_slots(self, day: dt.date, start: dt.time | None = None) -> list[Slot]:
        """Free, not-yet-started slots on a day (optionally at one start time)."""
        self.schedule.check_day(day)
        if start is not None:
            self.schedule.check_time(start)
        booked = self.store.booked_slot_ids(day)
        return [
            slot
            for slot in self.schedule.slots_on(day, start)
            if slot.slot_id not in booked and not self.schedule.is_past(slot)
        ]

    def check_availability(self, date: str, time: str | None = None) -> list[Slot]:
        """Free slots on `date` (YYYY-MM-DD), optionally only those starting at `time` (HH:MM)."""
        return self.free_slots(parse_date(date), parse_time(time) if time else None)

    def nearest_free(self, slot: Slot, times: int = 3) -> list[Slot]:
        """Free slots at the start times closest to `slot`'s on its day (every free court at
        each of those times), closest first: what to offer when it is taken or full."""

        def distance(other: Slot) -> int:
            return abs(
                (other.start.hour - slot.start.hour) * 60 + other.start.minute - slot.start.minute
            )

        free = sorted(self.free_slots(slot.day), key=lambda s: (distance(s), s.time, s.court))
        nearest = list(dict.fromkeys(s.time for s in free))[:times]
        return [s for s in free if s.time in nearest]

    def list_bookings(self, user_id: str) -> list[Booking]:
        return self.store.bookings_of(_require_user(user_id))

    # -- commands --------------------------------------------------------------------------
    def book(self, slot_id: str, user_id: str) -> Booking:
        _require_user(user_id)
        slot = self.schedule.slot(slot_id)
        self.schedule.check_bookable(slot)
        booking = Booking(
            booking_id=f"{slot.slot_id}.{secrets.token_hex(4)}",
            slot_id=slot.slot_id,
            court=slot.court,
            date=slot.date,
            time=slot.time,
        )
        try:
            self.store.add(booking, user_id)
        except SlotAlreadyBooked:
            alternatives = self.nearest_free(slot)
            offer = (
                "Free nearby: " + ", ".join(f"{s.court} at {s.time}" for s in alternatives) + "."
                if alternatives
                else f"Nothing else is free on {slot.date}."
            )
            raise SlotTaken(
                f"{slot.court} at {slot.time} on {slot.date} is already booked. {offer}",
                alternatives,
            ) from None
        return booking

    def cancel(self, booking_id: str, user_id: str) -> Booking:
        _require_user(user_id)
        slot_id = slot_id_of_booking(booking_id)
        return self.store.remove(booking_id.strip(), slot_id, user_id)
