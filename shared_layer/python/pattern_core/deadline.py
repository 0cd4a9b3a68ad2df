"""One deadline per request, taken from the Lambda context.

A function has `timeout` seconds; API Gateway waits 30 s. The turn must answer — with the
contract's own body — before either cuts it off, so every downstream call (a model call, a
Lambda invoke, a Step Functions or Bedrock invocation) gets `deadline.cap(its own cap)`: never
more time than is left. `MARGIN_SECONDS` is kept back to write the answer.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

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

    def sooner(self, seconds: float | None) -> Deadline:
        """This deadline, or one `seconds` from now if that comes first: a callee's own time
        bounded by the time its caller said it will wait (pattern G's specialists)."""
        if seconds is None:
            return self
        other = Deadline(self.clock() + max(0.0, seconds), self.clock)
        return other if other.expires_at < self.expires_at else self

    def left(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.expires_at - self.clock())

    def cap(self, seconds: float, what: str = "the next call") -> float:
        """`seconds`, or the time left if that is less; DeadlineExceeded if too little is left."""
        left = self.left()
        if left < MIN_CALL_SECONDS:
            raise DeadlineExceeded(what)
        return min(seconds, left)

    def client_timeout(self, seconds: float, what: str = "the next call") -> float:
        """`cap()` rounded down to half a second: an AWS client's read timeout is fixed when
        the client is built, so clients are cached per timeout, and this keeps that cache small
        without ever allowing more than the time left."""
        return max(MIN_CALL_SECONDS, math.floor(self.cap(seconds, what) * 2) / 2)

    @contextlib.contextmanager
    def bounding(self, what: str) -> Iterator[None]:
        """An AWS call whose client timeout came from `client_timeout`: when it times out
        because the request's time is up, that is `DeadlineExceeded`; a timeout at the call's
        own cap, with time still left, is re-raised for the caller to report."""
        try:
            yield
        except (ReadTimeoutError, ConnectTimeoutError) as exc:
            if not self.fits(MIN_CALL_SECONDS):
                raise DeadlineExceeded(what) from exc
            raise

    def fits(self, seconds: float) -> bool:
        return self.left() >= seconds

    def check(self, what: str = "the request") -> None:
        if self.left() < MIN_CALL_SECONDS:
            raise DeadlineExceeded(what)


def single_attempt_config(read_timeout: float):
    """botocore `Config` for a call that starts work which must not run twice (a workflow, a
    specialist, a managed agent's loop may each book a court): one attempt, no SDK retry after
    a lost answer, and a read timeout from `Deadline.client_timeout`."""
    from botocore.config import Config

    return Config(retries={"total_max_attempts": 1}, read_timeout=read_timeout, connect_timeout=3)
