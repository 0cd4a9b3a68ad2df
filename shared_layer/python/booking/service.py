"""The booking service: the four operations every pattern ends up calling.

Whoever decides *which* operation runs (plain code, a workflow, a model, a managed agent),
the rules live here: slots must be on the schedule, inside the window and not started; one
booking per slot; one court per caller per start time and at most `max_active_bookings`
upcoming bookings per caller (checked on the caller's ledger — see booking.store for how it is
written and how it heals after a crash); only the owner may cancel. `user_id` is always an
argument from the verified request identity — never something a model supplied.

Booking is idempotent for retries: `book(..., request_token=T)` derives the booking id from
the caller and T, and records T's digest in the ledger, so a retry of the same request (a Step
Functions retry of pattern C's Book step) finds its own booking and returns it, instead of
meeting its own write as "taken" and booking another court.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
import time
from collections.abc import Callable

from booking.errors import (
    AlreadyBookedThatTime,
    BookingBusy,
    InvalidRequest,
    SlotTaken,
    TooManyBookings,
)
from booking.models import (
    Booking,
    Slot,
    parse_date,
    parse_time,
    slot_id_of_booking,
    start_key,
)
from booking.schedule import Schedule
from booking.store import (
    RESERVATION_GRACE,
    BookingStore,
    DynamoBookingStore,
    LedgerChanged,
    Reservation,
    SlotAlreadyBooked,
)
from settings import Settings

DEFAULT_MAX_ACTIVE_BOOKINGS = 5
# Each lost round means another request of the same caller changed the ledger; one of the
# racers wins every round, so a handful of rounds settles even a burst of concurrent requests.
LEDGER_ATTEMPTS = 10


def _require_user(user_id: str) -> str:
    if not user_id or not isinstance(user_id, str):
        raise InvalidRequest("No caller identity: bookings need a verified user.")
    return user_id


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _slot_of(booking: Booking) -> Slot:
    return Slot(**booking.model_dump(exclude={"booking_id"}))


def request_digest(user_id: str, request_token: str) -> str:
    """8 hex digits naming one request of one caller: the suffix of the booking id it makes."""
    return hashlib.sha256(f"{user_id}\n{request_token}".encode()).hexdigest()[:8]


class BookingService:
    def __init__(
        self,
        store: BookingStore,
        schedule: Schedule,
        *,
        max_active_bookings: int = DEFAULT_MAX_ACTIVE_BOOKINGS,
        wall_clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self.store = store
        self.schedule = schedule
        self.max_active_bookings = max_active_bookings
        # Real time, for how old a reservation is; the schedule's clock may be pinned
        # (PATTERNS_TODAY) and says which slots have started.
        self.wall_clock = wall_clock

    @classmethod
    def from_env(cls, *, client=None, schedule: Schedule | None = None) -> BookingService:
        """The service the settings describe, on `client` (a DynamoDB client) if given."""
        limit = Settings.from_env().max_active_bookings
        return cls(
            DynamoBookingStore.from_env(client),
            schedule or Schedule.from_env(),
            max_active_bookings=limit,
        )

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
    def book(self, slot_id: str, user_id: str, *, request_token: str | None = None) -> Booking:
        """Book `slot_id` for the caller. With a `request_token`, a retry of the same request
        returns the booking the first try made (whatever court it ended up on)."""
        _require_user(user_id)
        slot = self.schedule.slot(slot_id)
        self.schedule.check_bookable(slot)
        request = request_digest(user_id, request_token) if request_token else None
        booking = Booking(
            booking_id=f"{slot.slot_id}.{request or secrets.token_hex(4)}",
            slot_id=slot.slot_id,
            court=slot.court,
            date=slot.date,
            time=slot.time,
        )
        booking, done = self._reserve(booking, user_id, request)
        if done:
            return booking
        try:
            self.store.add(booking, user_id)
        except SlotAlreadyBooked:
            if request and self.store.holder(booking.slot_id) == booking.booking_id:
                return booking  # an earlier try of this request made it
            self.store.release(user_id, start_key(booking), booking.booking_id)
            slot = _slot_of(booking)
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
        cancelled = self.store.remove(booking_id.strip(), slot_id, user_id)
        # If this release is lost (a crash), the entry heals as an abandoned one.
        self.store.release(user_id, start_key(cancelled), cancelled.booking_id)
        return cancelled

    # -- the caller's ledger -----------------------------------------------------------------
    def _reserve(self, booking: Booking, user_id: str, request: str | None) -> tuple[Booking, bool]:
        """Hold `booking`'s start time in the caller's ledger, enforcing one court per start
        time and the cap on upcoming bookings. Returns the booking to write and whether it is
        already written (a retry of `request` that finds its own booking)."""
        start = start_key(booking)
        for attempt in range(LEDGER_ATTEMPTS):
            ledger = self.store.ledger(user_id)
            entries = {k: r for k, r in ledger.entries.items() if not self._started(r.booking)}
            held = entries.pop(start, None)
            if held is not None:
                if request and held.request == request:
                    # This request's earlier try: done, or still to be written — by this try,
                    # on the same court (a second court would put the caller on two at once).
                    if self.store.holder(held.booking.slot_id) == held.booking.booking_id:
                        return held.booking, True
                    if not self._abandoned(held, checked=True):
                        return held.booking, False
                elif not self._abandoned(held):
                    raise AlreadyBookedThatTime(held.booking)
            if len(entries) >= self.max_active_bookings:
                entries = {k: r for k, r in entries.items() if not self._abandoned(r)}
                if len(entries) >= self.max_active_bookings:
                    raise TooManyBookings(self.max_active_bookings)
            entries[start] = Reservation(booking, self.wall_clock(), request)
            try:
                self.store.save_ledger(user_id, entries, ledger.version)
            except LedgerChanged:
                # Another request of this caller wrote first: re-read, after a jittered pause
                # so a burst of them does not collide again in lockstep.
                time.sleep(random.uniform(0, 0.01 * (attempt + 1)))
                continue
            return booking, False
        raise BookingBusy(
            "Too many of your requests are booking at once; nothing was booked. Try again."
        )

    def _started(self, booking: Booking) -> bool:
        return self.schedule.is_past(_slot_of(booking))

    def _abandoned(self, reservation: Reservation, *, checked: bool = False) -> bool:
        """A reservation whose writer is gone: older than the grace period, and its slot item
        does not hold its booking (`checked`: the caller has just seen that it does not)."""
        if self.wall_clock() - reservation.at <= RESERVATION_GRACE:
            return False
        booking = reservation.booking
        return checked or self.store.holder(booking.slot_id) != booking.booking_id
