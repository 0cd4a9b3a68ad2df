"""In-memory collaborators for unit tests: the booking store and a scripted OpenAI client."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from booking.errors import BookingNotFound, NotYourBooking
from booking.models import Booking
from booking.store import Ledger, LedgerChanged, Reservation, SlotAlreadyBooked


class InMemoryBookingStore:
    """Same contract as DynamoBookingStore, for single-threaded unit tests: the same
    conditional writes on the slot items and on each caller's versioned ledger (the rules
    themselves live in BookingService, so fake and table enforce them alike)."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[Booking, str]] = {}  # slot_id -> (booking, owner)
        self.ledgers: dict[str, Ledger] = {}  # user_id -> ledger

    def add(self, booking: Booking, user_id: str) -> None:
        if booking.slot_id in self.items:
            raise SlotAlreadyBooked(booking.slot_id)
        self.items[booking.slot_id] = (booking, user_id)

    def booked_slot_ids(self, day: dt.date) -> set[str]:
        return {sid for sid, (b, _) in self.items.items() if b.date == day.isoformat()}

    def bookings_of(self, user_id: str) -> list[Booking]:
        mine = [b for b, owner in self.items.values() if owner == user_id]
        return sorted(mine, key=lambda b: (b.date, b.time, b.court))

    def remove(self, booking_id: str, slot_id: str, user_id: str) -> Booking:
        found = self.items.get(slot_id)
        if found is None or found[0].booking_id != booking_id:
            raise BookingNotFound(f"There is no booking {booking_id}.")
        if found[1] != user_id:
            raise NotYourBooking(f"Booking {booking_id} belongs to someone else.")
        del self.items[slot_id]
        return found[0]

    def holder(self, slot_id: str) -> str | None:
        found = self.items.get(slot_id)
        return found[0].booking_id if found else None

    def ledger(self, user_id: str) -> Ledger:
        return self.ledgers.get(user_id, Ledger())

    def save_ledger(
        self, user_id: str, entries: dict[str, Reservation], expected_version: int
    ) -> None:
        if self.ledger(user_id).version != expected_version:
            raise LedgerChanged(user_id)
        self.ledgers[user_id] = Ledger(version=expected_version + 1, entries=dict(entries))

    def release(self, user_id: str, start: str, booking_id: str) -> None:
        ledger = self.ledger(user_id)
        held = ledger.entries.get(start)
        if held is None or held.booking.booking_id != booking_id:
            return
        entries = {k: r for k, r in ledger.entries.items() if k != start}
        self.ledgers[user_id] = Ledger(version=ledger.version + 1, entries=entries)

    def all_bookings(self) -> list[tuple[Booking, str]]:
        return sorted(self.items.values(), key=lambda pair: (pair[0].date, pair[0].time))

    def owner_of(self, slot_id: str) -> str | None:
        found = self.items.get(slot_id)
        return found[1] if found else None


class ScriptedParseClient:
    """Stands in for `openai.OpenAI` where only `chat.completions.parse` is used: returns the
    scripted parsed objects in order and records every request it got."""

    def __init__(self, *parsed, prompt_tokens: int = 100, completion_tokens: int = 20) -> None:
        self._parsed = list(parsed)
        self.requests: list[dict] = []
        self._tokens = (prompt_tokens, completion_tokens)
        self.chat = SimpleNamespace(completions=SimpleNamespace(parse=self._parse))
        self.options: list[dict] = []  # per-call options (timeout, retries) from the deadline

    def with_options(self, **options):
        self.options.append(options)
        return self

    def _parse(self, **request):
        self.requests.append(request)
        if not self._parsed:
            raise AssertionError("model called more often than scripted")
        parsed = self._parsed.pop(0)
        usage = SimpleNamespace(prompt_tokens=self._tokens[0], completion_tokens=self._tokens[1])
        message = SimpleNamespace(parsed=parsed, content=None, refusal=None)
        return SimpleNamespace(choices=[SimpleNamespace(message=message)], usage=usage)
