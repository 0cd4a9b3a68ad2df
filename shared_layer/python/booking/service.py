"""The booking service: the operations every pattern ends up calling.

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

Booking at a named day and time reads that time's slots and the caller's ledger in one call
(`booking.store`), and reserves against that ledger: three DynamoDB calls in all.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from booking.day_parts import PartOfDay, in_part_of_day
from booking.errors import (
    AlreadyBookedThatTime,
    BookingBusy,
    BookingError,
    BookingNotFound,
    InvalidRequest,
    NoFreeSlot,
    NotYourBooking,
    SlotInPast,
    SlotNotFound,
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
    Ledger,
    LedgerChanged,
    Reservation,
    SlotAlreadyBooked,
)
from booking.wording import format_day, sentences
from settings import Settings

DEFAULT_MAX_ACTIVE_BOOKINGS = Settings.default("max_active_bookings")
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


@dataclass(frozen=True)
class SlotQuery:
    """Which slot a request means: a slot id, or a day narrowed by start time, court and part
    of the day, then picked by `position` (1-based, default 1) among the free matches in
    availability order (start time, then court). So a day and time is the first free court at
    that time, a part of the day its earliest free slot, a day alone the first available."""

    slot_id: str | None = None
    date: str | None = None
    time: str | None = None
    court: str | None = None
    part_of_day: PartOfDay | None = None
    position: int | None = None


@dataclass(frozen=True)
class Moved:
    """A move's outcome: the new booking, and the old one it cancelled (None if the old one
    was already gone — cancelled meanwhile by another request of the caller)."""

    booking: Booking
    cancelled: Booking | None


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
    def free_slots(
        self, day: dt.date, start: dt.time | None = None, part_of_day: PartOfDay | None = None
    ) -> list[Slot]:
        """Free, not-yet-started slots on a day (optionally at one start time, or in one part
        of the day), ordered by start time then court: the order `position` counts in."""
        self.schedule.check_day(day)
        if start is not None:
            self.schedule.check_time(start)
        booked = self.store.booked_slot_ids(day)
        return self._unbooked(self.schedule.slots_on(day, start), booked, part_of_day)

    def free_at(
        self,
        day: dt.date,
        start: dt.time,
        user_id: str,
        part_of_day: PartOfDay | None = None,
    ) -> tuple[list[Slot], Ledger]:
        """`free_slots(day, start, part_of_day)` and the caller's ledger, from one read of
        that start time's slots and the ledger (booking.store.booked_and_ledger): what a
        booking at that time needs, for `book(..., ledger=)`."""
        slots = self.schedule.slots_on(day, start)
        booked, ledger = self.store.booked_and_ledger([s.slot_id for s in slots], user_id)
        return self._unbooked(slots, booked, part_of_day), ledger

    def _unbooked(
        self, slots: list[Slot], booked: set[str], part_of_day: PartOfDay | None
    ) -> list[Slot]:
        return [
            slot
            for slot in slots
            if slot.slot_id not in booked
            and in_part_of_day(slot.start, part_of_day)
            and not self.schedule.is_past(slot)
        ]

    def check_availability(
        self, date: str, time: str | None = None, part_of_day: PartOfDay | None = None
    ) -> list[Slot]:
        """Free slots on `date` (YYYY-MM-DD), optionally only those starting at `time` (HH:MM)
        or in `part_of_day`."""
        return self.free_slots(parse_date(date), parse_time(time) if time else None, part_of_day)

    def nearest_free(self, slot: Slot, times: int = 3) -> list[Slot]:
        """Free slots at the start times closest to `slot`'s on its day (every free court at
        each of those times, in the schedule's order), closest first: what to offer when it is
        taken or full."""
        return self._nearest(slot.day, slot.start, times)

    def _nearest(self, day: dt.date, start: dt.time | None, times: int = 3) -> list[Slot]:
        def distance(other: Slot) -> int:
            if start is None:
                return 0  # no time asked for: the earliest
            return abs((other.start.hour - start.hour) * 60 + other.start.minute - start.minute)

        free = sorted(self.free_slots(day), key=lambda s: (distance(s), s.time))
        nearest = list(dict.fromkeys(s.time for s in free))[:times]
        return [s for s in free if s.time in nearest]

    def find_slot(self, query: SlotQuery, *, default_day: dt.date | None = None) -> Slot:
        """The slot `query` means (see SlotQuery); a day-based query picks among the free
        slots, so what it returns was free when read. A court that does not exist, a time that
        is not a start time, or nothing free that matches raises an error that says so and,
        where there are any, lists free alternatives."""
        return self._find(query, default_day)[0]

    def _find(
        self, query: SlotQuery, default_day: dt.date | None = None, user_id: str | None = None
    ) -> tuple[Slot, Ledger | None]:
        """`find_slot`; given the caller (`user_id`) and a query that names a start time, also
        the caller's ledger, read together with that time's slots in one call, for the booking
        to reserve against (None otherwise)."""
        if query.slot_id:
            return self._agreeing(self.schedule.slot(query.slot_id), query), None
        day = parse_date(query.date) if query.date else default_day
        if day is None:
            raise InvalidRequest("Say which day: a date (YYYY-MM-DD) or a slot id.")
        court = self.schedule.court(query.court) if query.court else None
        start = parse_time(query.time) if query.time else None
        self.schedule.check_day(day)
        if start is not None and start not in self.schedule.start_times:
            near = self._nearest(day, start)
            starts = ", ".join(t.strftime("%H:%M") for t in self.schedule.start_times)
            raise SlotNotFound(
                sentences(
                    f"No slot starts at {start.strftime('%H:%M')}; start times are {starts}.",
                    _nothing_free(near, day),
                ),
                near,
            )
        ledger = None
        if start is not None and user_id is not None:
            free, ledger = self.free_at(day, start, user_id, query.part_of_day)
        else:
            free = self.free_slots(day, start, query.part_of_day)
        matches = [slot for slot in free if court is None or slot.court == court]
        position = query.position or 1
        if position < 1:
            raise InvalidRequest("Positions count from 1 (1 = the first free slot).")
        if len(matches) >= position:
            return matches[position - 1], ledger
        when = _when(day, start, query.part_of_day)
        if matches:
            # The free matches are the alternatives: the caller lists them, as for any refusal.
            are = "slots are" if len(matches) > 1 else "slot is"
            on = f" on {court}" if court else ""
            raise NoFreeSlot(
                f"Only {len(matches)} {are} free {when}{on}, so there is no number {position}; "
                "nothing was booked.",
                matches,
            )
        anchor = start or next(
            (t for t in self.schedule.start_times if in_part_of_day(t, query.part_of_day)), None
        )
        near = self._nearest(day, anchor)
        nothing = f"{court} is not free {when}." if court else f"Nothing is free {when}."
        raise NoFreeSlot(sentences(nothing, _nothing_free(near, day, "else ")), near)

    def list_bookings(self, user_id: str) -> list[Booking]:
        return self.store.bookings_of(_require_user(user_id))

    def _agreeing(self, slot: Slot, query: SlotQuery) -> Slot:
        """A slot id, checked against whatever else the query says (a model may send the
        slot's date, time and court along with its id): agreeing fields are fine, a
        contradiction is refused rather than one side silently winning."""
        said = {
            "date": query.date and parse_date(query.date).isoformat(),
            "time": query.time and parse_time(query.time).strftime("%H:%M"),
            "court": query.court and self.schedule.court(query.court),
        }
        actual = {"date": slot.date, "time": slot.time, "court": slot.court}
        clash = [name for name, value in said.items() if value and value != actual[name]]
        if query.part_of_day and not in_part_of_day(slot.start, query.part_of_day):
            clash.append("part_of_day")
        if query.position not in (None, 1):
            clash.append("position")
        if clash:
            raise InvalidRequest(
                f"{slot.slot_id} is {slot.court} at {slot.time} on {slot.date}, which does not "
                f"match the {', '.join(clash)} given; give the slot id alone, or describe the "
                "slot without it. Nothing was booked."
            )
        return slot

    # -- commands --------------------------------------------------------------------------
    def book_slot(
        self, query: SlotQuery, user_id: str, *, request_token: str | None = None
    ) -> Booking:
        """Book the slot `query` means (see `find_slot`) for the caller. A day and a start time
        cost one read (that time's slots and the caller's ledger), the reservation and the
        put."""
        _require_user(user_id)
        slot, ledger = self._find(query, user_id=user_id)
        return self.book(slot.slot_id, user_id, request_token=request_token, ledger=ledger)

    def book(
        self,
        slot_id: str,
        user_id: str,
        *,
        request_token: str | None = None,
        replacing: Booking | None = None,
        ledger: Ledger | None = None,
    ) -> Booking:
        """Book `slot_id` for the caller. With a `request_token`, a retry of the same request
        returns the booking the first try made (whatever court it ended up on). `replacing`
        (used by `move`) is a booking of the caller's that this one replaces: it does not count
        against the rules, and if it holds the same start time the new booking takes its
        place in the ledger. `ledger` is the caller's ledger if just read (by `_find`): the
        reservation is checked against it instead of reading it again — safely, as the write
        is conditioned on its version, and a ledger that changed since is read again."""
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
        booking, done, displaced = self._reserve(booking, user_id, request, replacing, ledger)
        if done:
            return booking
        try:
            self.store.add(booking, user_id)
        except SlotAlreadyBooked:
            if request and self.store.holder(booking.slot_id) == booking.booking_id:
                return booking  # an earlier try of this request made it
            # Give the time back: to nobody, or to the booking a move was replacing there.
            self.store.release(user_id, start_key(booking), booking.booking_id, displaced)
            slot = _slot_of(booking)
            alternatives = self.nearest_free(slot)
            raise SlotTaken(
                sentences(
                    f"{slot.court} at {slot.time} on {format_day(slot.day)} is already booked.",
                    _nothing_free(alternatives, slot.day, "else "),
                ),
                alternatives,
            ) from None
        return booking

    def move(self, booking_id: str, query: SlotQuery, user_id: str) -> Moved:
        """Move the caller's booking to the slot `query` means (without a day, the booking's
        own day; without a time, part of day or position, its own start time): book the new
        slot first, then cancel the old one. If the new
        slot cannot be booked, nothing changes and the error says why.

        The ledger (booking.store) allows exactly this replacement: the new booking's
        reservation names the booking it replaces, which then neither blocks its start time
        (Court A 14:00 -> Court B 14:00 takes A's place in the caller's entry for 14:00) nor
        counts against the cap. The entry for a start time only ever names one booking, so
        the one-court-per-start-time rule holds throughout. A crash between the writes:
        - before the new slot's put: the entry names a booking that was never written; once
          past the grace period the next booking of the caller settles it back to the old
          booking (still held), or drops it, as for any abandoned reservation;
        - after the put, before the old slot's delete: both slot items exist, but the ledger
          names the new one with `replaces` = the old; the next booking of the caller rolls
          the move forward (deletes the old slot item), so the caller is never left on two
          courts once anything of theirs is booked again — no interleaving lets them book a
          third court at that time, as the ledger holds the time for the new booking.
        """
        _require_user(user_id)
        old_slot_id = slot_id_of_booking(booking_id)
        found = self.store.get(old_slot_id)
        if found is None or found[0].booking_id != booking_id.strip():
            raise BookingNotFound(f"There is no booking {booking_id}; nothing was moved.")
        old, owner = found
        if owner != user_id:
            raise NotYourBooking(f"Booking {booking_id} belongs to someone else.")
        if self._started(old):
            raise SlotInPast(
                f"{old.court} at {old.time} on {old.date} has already started; it cannot be moved."
            )
        says_when = (query.slot_id, query.time, query.part_of_day, query.position)
        if all(value is None for value in says_when):
            query = dataclasses.replace(query, time=old.time)  # "make it Court B": same time
        try:  # a new slot that is not there or not free (unknown court, full, …)
            target, ledger = self._find(query, parse_date(old.date), user_id)
        except BookingError as exc:
            _say_kept(exc, old)
            raise
        if target.slot_id == old.slot_id:
            raise InvalidRequest(
                f"Booking {booking_id} is already {old.court} at {old.time} on {old.date}; "
                "nothing was changed."
            )
        try:
            booking = self.book(target.slot_id, user_id, replacing=old, ledger=ledger)
        except BookingError as exc:
            _say_kept(exc, old)
            raise
        return Moved(booking, self._cancel_replaced(old, booking, user_id))

    def _cancel_replaced(self, old: Booking, new: Booking, user_id: str) -> Booking | None:
        """The second half of a move: cancel the old booking, and give back its time unless
        the new booking holds it now."""
        try:
            cancelled = self.store.remove(old.booking_id, old.slot_id, user_id)
        except (BookingNotFound, NotYourBooking):
            cancelled = None  # gone already
        if start_key(old) != start_key(new):
            self.store.release(user_id, start_key(old), old.booking_id)
        return cancelled

    def cancel(self, booking_id: str, user_id: str) -> Booking:
        _require_user(user_id)
        slot_id = slot_id_of_booking(booking_id)
        cancelled = self.store.remove(booking_id.strip(), slot_id, user_id)
        # If this release is lost (a crash), the entry heals as an abandoned one.
        self.store.release(user_id, start_key(cancelled), cancelled.booking_id)
        return cancelled

    # -- the caller's ledger -----------------------------------------------------------------
    def _reserve(
        self,
        booking: Booking,
        user_id: str,
        request: str | None,
        replacing: Booking | None = None,
        read: Ledger | None = None,
    ) -> tuple[Booking, bool, Reservation | None]:
        """Hold `booking`'s start time in the caller's ledger, enforcing one court per start
        time and the cap on upcoming bookings (`replacing`, a move's old booking, counts for
        neither). Returns the booking to write, whether it is already written (a retry of
        `request` that finds its own booking), and the reservation it displaced at that time
        (the move's old booking, to restore if the write fails). `read`, a ledger read just
        before, stands in for the first read."""
        start = start_key(booking)
        replaced = replacing.booking_id if replacing else None
        for attempt in range(LEDGER_ATTEMPTS):
            ledger = read if attempt == 0 and read is not None else self.store.ledger(user_id)
            entries = {k: r for k, r in ledger.entries.items() if not self._started(r.booking)}
            entries = self._settle(entries, user_id)
            held = entries.pop(start, None)
            displaced = None
            if held is not None:
                if held.booking.booking_id == replaced:
                    displaced = held  # the move's own booking: the new one takes its place
                elif request and held.request == request:
                    # This request's earlier try: done, or still to be written — by this try,
                    # on the same court (a second court would put the caller on two at once).
                    if self.store.holder(held.booking.slot_id) == held.booking.booking_id:
                        return held.booking, True, None
                    if not self._abandoned(held, checked=True):
                        return held.booking, False, None
                elif not self._abandoned(held):
                    raise AlreadyBookedThatTime(held.booking)

            def counted(kept: dict[str, Reservation]) -> int:
                return sum(1 for r in kept.values() if r.booking.booking_id != replaced)

            if counted(entries) >= self.max_active_bookings:
                entries = {k: r for k, r in entries.items() if not self._abandoned(r)}
                if counted(entries) >= self.max_active_bookings:
                    raise TooManyBookings(self.max_active_bookings)
            entries[start] = Reservation(booking, self.wall_clock(), request, replacing)
            try:
                self.store.save_ledger(user_id, entries, ledger.version)
            except LedgerChanged:
                # Another request of this caller wrote first: re-read, after a jittered pause
                # so a burst of them does not collide again in lockstep.
                time.sleep(random.uniform(0, 0.01 * (attempt + 1)))
                continue
            return booking, False, displaced
        raise BookingBusy(
            "Too many of your requests are booking at once; nothing was booked. Try again."
        )

    def _settle(self, entries: dict[str, Reservation], user_id: str) -> dict[str, Reservation]:
        """Settle moves whose writer is gone (older than the grace period; see `move`): one
        that wrote its new booking is finished (the old slot item deleted), one that did not
        gives the time back to the old booking. A move that finished normally just loses its
        `replaces` mark. Costs reads only for entries still marked, at most once each."""
        settled = dict(entries)
        for start, entry in entries.items():
            old = entry.replaces
            if old is None or self.wall_clock() - entry.at <= RESERVATION_GRACE:
                continue
            if self.store.holder(old.slot_id) != old.booking_id:
                settled[start] = dataclasses.replace(entry, replaces=None)  # move finished
            elif self.store.holder(entry.booking.slot_id) == entry.booking.booking_id:
                with contextlib.suppress(BookingNotFound, NotYourBooking):
                    self.store.remove(old.booking_id, old.slot_id, user_id)
                old_entry = settled.get(start_key(old))
                if start_key(old) != start and old_entry and old_entry.booking == old:
                    del settled[start_key(old)]
                settled[start] = dataclasses.replace(entry, replaces=None)
            elif start_key(old) == start:
                settled[start] = Reservation(old, entry.at)  # never moved: the old one stays
            else:
                settled[start] = dataclasses.replace(entry, replaces=None)  # abandoned
        return settled

    def _started(self, booking: Booking) -> bool:
        return self.schedule.is_past(_slot_of(booking))

    def _abandoned(self, reservation: Reservation, *, checked: bool = False) -> bool:
        """A reservation whose writer is gone: older than the grace period, and its slot item
        does not hold its booking (`checked`: the caller has just seen that it does not)."""
        if self.wall_clock() - reservation.at <= RESERVATION_GRACE:
            return False
        booking = reservation.booking
        return checked or self.store.holder(booking.slot_id) != booking.booking_id


def _nothing_free(alternatives: list[Slot], day: dt.date, other: str = "") -> str:
    """What a refusal adds when it has no free alternatives to carry. The alternatives
    themselves are data (`alternatives` in the error), listed by whoever shows the refusal, so
    the message never lists them a second time."""
    return "" if alternatives else f"Nothing {other}is free on {format_day(day)}."


def _say_kept(refusal: BookingError, old: Booking) -> None:
    """Make a move's refusal say that the booking it was for is kept."""
    kept = f"Your booking of {old.court} at {old.time} on {format_day(old.date)} is unchanged."
    refusal.message = f"{refusal.message} {kept}"
    refusal.args = (refusal.message,)


def _when(day: dt.date, start: dt.time | None, part: PartOfDay | None) -> str:
    """'on Thu 3 Dec at 15:00', 'on Thu 3 Dec in the morning': what a query asked for."""
    if start is not None:
        return f"on {format_day(day)} at {start.strftime('%H:%M')}"
    return f"on {format_day(day)} in the {part}" if part else f"on {format_day(day)}"
