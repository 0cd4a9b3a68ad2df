"""What one turn may change and what it changed: the write budget and the turn's record.

Where a model picks the operation (patterns D-H), a turn may book at most
`max_bookings` courts and cancel at most `max_cancellations` bookings. The budget is claimed
*before* a write and given back if the write did not happen, so it holds when a model asks for
several writes at once (tools running in parallel threads). A refused claim marks the turn as
ended: the orchestration stops asking the model and reports what was done.

`TurnEffects` is also the record every booking tool writes to as it goes — bookings and
cancellations in order — so what a turn did is known even when it ends early (a deadline, a
loop limit, a model error) and can always be reported in full.

Where one turn's writes run in several processes that share no memory (pattern H: Bedrock calls
the action Lambda once per tool call), the claims go to a `TurnCounter` instead:
`DynamoTurnCounter` keeps them in one item of the bookings table (`TURN#{turn_id}`, with a TTL)
and claims with one atomic conditional `UpdateItem`, so the budget holds across invocations and
under concurrency.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from booking.models import Booking
from settings import Settings

Write = Literal["book", "cancel"]

DEFAULT_MAX_BOOKINGS_PER_TURN = Settings.default("max_bookings_per_turn")
DEFAULT_MAX_CANCELLATIONS_PER_TURN = Settings.default("max_cancellations_per_turn")


@dataclass(frozen=True)
class WriteBudget:
    max_bookings: int = DEFAULT_MAX_BOOKINGS_PER_TURN
    max_cancellations: int = DEFAULT_MAX_CANCELLATIONS_PER_TURN

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WriteBudget:
        settings = Settings.from_env(env)
        return cls(settings.max_bookings_per_turn, settings.max_cancellations_per_turn)

    def limit(self, write: Write) -> int:
        return self.max_bookings if write == "book" else self.max_cancellations

    def describe(self, write: Write) -> str:
        """'one request may book at most 2 courts' — the rule, as a person reads it."""
        if write == "book":
            return f"one request may book at most {_count(self.max_bookings, 'court')}"
        return f"one request may cancel at most {_count(self.max_cancellations, 'booking')}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class TurnCounter(Protocol):
    """Where a turn's claims are counted when they are not in this process's memory."""

    def claim(self, write: Write, limit: int) -> bool: ...
    def release(self, write: Write) -> None: ...


class DynamoTurnCounter:
    """A turn's claims as one item of the bookings table, shared by every process the turn
    runs in (pattern H's action Lambda is invoked once per tool call and keeps no memory).

    A claim is one conditional `UpdateItem` (`ADD` under `count < limit`), atomic on DynamoDB
    and on the local server alike, so parallel tool calls cannot overspend. The item expires
    (TTL) soon after the turn; its partition (`TURN#…`) never meets a day's slots (`DATE#…`),
    and it has no `user_id`, so it stays out of the by-user index.
    """

    TTL_SECONDS = 3600

    def __init__(
        self,
        client,
        table_name: str,
        turn_id: str,
        *,
        keys: tuple[str, str] = ("pk", "sk"),
        ttl_attribute: str = "expires_at",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client, self.table_name, self.turn_id = client, table_name, turn_id
        self.keys, self.ttl_attribute, self.clock = keys, ttl_attribute, clock

    def _key(self) -> dict:
        pk, sk = self.keys
        return {pk: {"S": f"TURN#{self.turn_id}"}, sk: {"S": "WRITES"}}

    def claim(self, write: Write, limit: int) -> bool:
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=self._key(),
                UpdateExpression="ADD #n :one SET #ttl = if_not_exists(#ttl, :ttl)",
                ConditionExpression="attribute_not_exists(#n) OR #n < :limit",
                ExpressionAttributeNames={"#n": write, "#ttl": self.ttl_attribute},
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":limit": {"N": str(limit)},
                    ":ttl": {"N": str(int(self.clock()) + self.TTL_SECONDS)},
                },
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release(self, write: Write) -> None:
        # Nothing claimed (the condition fails): nothing to give back.
        with contextlib.suppress(self.client.exceptions.ConditionalCheckFailedException):
            self.client.update_item(
                TableName=self.table_name,
                Key=self._key(),
                UpdateExpression="ADD #n :minus_one",
                ConditionExpression="#n > :zero",
                ExpressionAttributeNames={"#n": write},
                ExpressionAttributeValues={":minus_one": {"N": "-1"}, ":zero": {"N": "0"}},
            )


class TurnEffects:
    """The bookings and cancellations of one turn, in order, and the budget they spend."""

    def __init__(
        self, budget: WriteBudget | None = None, counter: TurnCounter | None = None
    ) -> None:
        self.budget = budget or WriteBudget()
        self.counter = counter  # claims counted elsewhere (pattern H); else in this object
        self.bookings: list[Booking] = []
        self.cancellations: list[Booking] = []
        self.ended_by: Write | None = None  # set when a write was refused by the budget
        self._claimed: dict[str, int] = {"book": 0, "cancel": 0}
        self._lock = threading.Lock()

    # -- the budget ------------------------------------------------------------------------
    def claim(self, write: Write) -> bool:
        """Reserve one write. False (and the turn is marked ended) when the budget is spent."""
        if self.counter is not None:
            if self.counter.claim(write, self.budget.limit(write)):
                return True
            self.end(write)
            return False
        with self._lock:
            if self._claimed[write] >= self.budget.limit(write):
                self.ended_by = self.ended_by or write
                return False
            self._claimed[write] += 1
            return True

    def release(self, write: Write) -> None:
        """Give back a claim whose write did not happen (refused by the booking rules)."""
        if self.counter is not None:
            self.counter.release(write)
            return
        with self._lock:
            self._claimed[write] = max(0, self._claimed[write] - 1)

    def remaining(self, write: Write) -> int:
        """Writes of this kind the turn may still make (in this process's count)."""
        with self._lock:
            return max(0, self.budget.limit(write) - self._claimed[write])

    def spend(self, write: Write, count: int) -> None:
        """Count writes made elsewhere on this turn's behalf (G: a specialist's report)."""
        with self._lock:
            self._claimed[write] += count

    def end(self, write: Write) -> None:
        """Mark the turn as ended by the budget (a refusal seen here or reported from afar)."""
        with self._lock:
            self.ended_by = self.ended_by or write

    def limit_reason(self) -> str:
        """Why the turn ended: the rule that refused a write ('' if none did)."""
        return self.budget.describe(self.ended_by) if self.ended_by else ""

    @property
    def ended(self) -> bool:
        return self.ended_by is not None

    def refusal(self, write: Write) -> dict:
        """The tool result for a refused write: an error a model can act on."""
        rule = self.budget.describe(write)
        return {
            "error": {
                "code": "turn_write_limit",
                "message": (
                    f"Refused: {rule}; this call did nothing. Stop calling tools and tell the "
                    "user what was done."
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
