"""What one turn may change and what it changed: the write budget and the turn's record.

Where a model picks the operation (patterns D-H), a turn may book at most
`max_bookings` courts and cancel at most `max_cancellations` bookings. The budget is claimed
*before* a write and given back if the write did not happen, so it holds when a model asks for
several writes at once (tools running in parallel threads). A refused claim marks the turn as
ended: the orchestration stops asking the model and reports what was done.

`TurnEffects` is also the record every booking tool writes to as it goes — bookings and
cancellations in order — so what a turn did is known even when it ends early (a deadline, a
loop limit, a model error) and can always be reported in full.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from booking.models import Booking

Write = Literal["book", "cancel"]

DEFAULT_MAX_BOOKINGS_PER_TURN = 2
DEFAULT_MAX_CANCELLATIONS_PER_TURN = 2


@dataclass(frozen=True)
class WriteBudget:
    max_bookings: int = DEFAULT_MAX_BOOKINGS_PER_TURN
    max_cancellations: int = DEFAULT_MAX_CANCELLATIONS_PER_TURN

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WriteBudget:
        env = os.environ if env is None else env
        return cls(
            max_bookings=int(env.get("MAX_BOOKINGS_PER_TURN") or DEFAULT_MAX_BOOKINGS_PER_TURN),
            max_cancellations=int(
                env.get("MAX_CANCELLATIONS_PER_TURN") or DEFAULT_MAX_CANCELLATIONS_PER_TURN
            ),
        )

    def limit(self, write: Write) -> int:
        return self.max_bookings if write == "book" else self.max_cancellations


class TurnEffects:
    """The bookings and cancellations of one turn, in order, and the budget they spend."""

    def __init__(self, budget: WriteBudget | None = None) -> None:
        self.budget = budget or WriteBudget()
        self.bookings: list[Booking] = []
        self.cancellations: list[Booking] = []
        self.ended_by: Write | None = None  # set when a write was refused by the budget
        self._claimed: dict[str, int] = {"book": 0, "cancel": 0}
        self._lock = threading.Lock()

    # -- the budget ------------------------------------------------------------------------
    def claim(self, write: Write) -> bool:
        """Reserve one write. False (and the turn is marked ended) when the budget is spent."""
        with self._lock:
            if self._claimed[write] >= self.budget.limit(write):
                self.ended_by = self.ended_by or write
                return False
            self._claimed[write] += 1
            return True

    def release(self, write: Write) -> None:
        """Give back a claim whose write did not happen (refused by the booking rules)."""
        with self._lock:
            self._claimed[write] = max(0, self._claimed[write] - 1)

    @property
    def ended(self) -> bool:
        return self.ended_by is not None

    def refusal(self, write: Write) -> dict:
        """The tool result for a refused write: an error a model can act on."""
        limit = self.budget.limit(write)
        what = "book" if write == "book" else "cancel"
        nouns = "courts" if write == "book" else "bookings"
        return {
            "error": {
                "code": "turn_write_limit",
                "message": (
                    f"One request may {what} at most {limit} {nouns}; nothing more was done. "
                    "Stop calling tools and tell the user what was done."
                ),
            }
        }

    # -- the record ------------------------------------------------------------------------
    def booked(self, booking: Booking) -> None:
        with self._lock:
            if all(b.booking_id != booking.booking_id for b in self.bookings):
                self.bookings.append(booking)

    def cancelled(self, booking: Booking) -> None:
        with self._lock:
            if all(b.booking_id != booking.booking_id for b in self.cancellations):
                self.cancellations.append(booking)

    @property
    def changed_anything(self) -> bool:
        return bool(self.bookings or self.cancellations)
