"""One chat turn as the orchestrations see it, and its answer: no HTTP, no resolver.

Every pattern's logic takes a `ChatTurn` and returns a `ChatOutcome` or raises `ChatError`;
`contract.http` turns them into the `/chat` response.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from booking.effects import TurnEffects
from booking.models import Booking
from pattern_core.deadline import NO_CONTEXT_SECONDS, Deadline
from pattern_core.usage import UsageMeter


@dataclass
class ChatTurn:
    """One validated /chat request, as the pattern's orchestration sees it."""

    message: str
    user_id: str  # from the verified identity, never from the body or a model
    session_id: str
    usage: UsageMeter
    pattern: str
    # When the answer must be ready (from the Lambda context) and what the turn may change and
    # has changed so far (written by the booking tools as they run).
    deadline: Deadline = field(default_factory=lambda: Deadline.after(NO_CONTEXT_SECONDS))
    effects: TurnEffects = field(default_factory=TurnEffects)


@dataclass
class ChatOutcome:
    """The turn's answer: the reply, and every booking made and cancelled, in order."""

    reply: str
    bookings: list[Booking] = field(default_factory=list)
    cancellations: list[Booking] = field(default_factory=list)

    @classmethod
    def of(cls, reply: str, effects: TurnEffects) -> ChatOutcome:
        return cls(reply, list(effects.bookings), list(effects.cancellations))

    @property
    def booking(self) -> Booking | None:
        return self.bookings[0] if self.bookings else None


class ChatError(Exception):
    """An orchestration failure to report with a specific status and code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
