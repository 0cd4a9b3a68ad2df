"""One deadline per request, taken from the Lambda context.

A function has `timeout` seconds; API Gateway waits 30 s. The turn must answer — with the
contract's own body — before either cuts it off, so every downstream call (a model call, a
Lambda invoke, a Step Functions or Bedrock invocation) gets `deadline.cap(its own cap)`: never
more time than is left. `MARGIN_SECONDS` is kept back to write the answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

MARGIN_SECONDS = 1.5  # kept back from the function's remaining time to write the answer
MIN_CALL_SECONDS = 0.5  # below this, a downstream call is not worth starting
NO_CONTEXT_SECONDS = 29.0  # no Lambda context (a unit test calling the logic directly)


class DeadlineExceeded(Exception):
    """The request's time is up: answer 504 `deadline_exceeded`, reporting what was done."""

    def __init__(self, what: str = "the request") -> None:
        super().__init__(f"no time left for {what}")
        self.what = what


@dataclass
class Deadline:
    expires_at: float  # time.monotonic() when the turn must have its answer ready
    clock: object = field(default=time.monotonic, repr=False)

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    @classmethod
    def from_lambda_context(cls, context, margin: float = MARGIN_SECONDS) -> Deadline:
        getter = getattr(context, "get_remaining_time_in_millis", None)
        remaining = getter() / 1000 if callable(getter) else NO_CONTEXT_SECONDS
        return cls.after(max(0.0, remaining - margin))

    def left(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.expires_at - self.clock())

    def cap(self, seconds: float, what: str = "the next call") -> float:
        """`seconds`, or the time left if that is less; DeadlineExceeded if too little is left."""
        left = self.left()
        if left < MIN_CALL_SECONDS:
            raise DeadlineExceeded(what)
        return min(seconds, left)

    def fits(self, seconds: float) -> bool:
        return self.left() >= seconds

    def check(self, what: str = "the request") -> None:
        if self.left() < MIN_CALL_SECONDS:
            raise DeadlineExceeded(what)
