"""Per-turn traces: what one /chat turn did, in order and timed, recorded only when asked for.

A request with `X-Patterns-Trace: 1` gets `trace` in its body (a 200's, or the error a turn
ended in: `contract.http`): events `{"at_ms", "kind", "name", "duration_ms", "detail"}`,
`at_ms` counted from the start of the turn, ordered by `at_ms`. Each engine reports through its
own mechanism — the model client and D's loop (`span`), B's workflow steps, C's execution
trail and H's Bedrock trace (`add_at`, with their own clocks), the Agents SDK's spans for E-G
(`agent_runtime.tracing`), G's specialist invokes (`merge` adds a specialist's own trace) —
into the recorder of the running turn, held in a context variable. Without a recorder every
call here is a no-op.

`detail` never carries prompt text or secrets: model calls give their model and tokens, tool
calls their arguments as the model sent them.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any, Literal

Kind = Literal["model_call", "tool_call", "lambda_invoke", "state", "step"]
KINDS: tuple[Kind, ...] = ("model_call", "tool_call", "lambda_invoke", "state", "step")
HEADER = "x-patterns-trace"  # HTTP API v2 lower-cases header names


class TraceRecorder:
    """The events of one turn. Safe to add to from several threads (G's specialist invokes)."""

    def __init__(self) -> None:
        self._started = time.perf_counter()
        self._started_epoch = time.time()
        self._events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def since_start_ms(self, perf_counter: float) -> int:
        return max(0, round((perf_counter - self._started) * 1000))

    def since_start_epoch_ms(self, epoch_seconds: float) -> int:
        """`at_ms` of a moment told by the wall clock (another process's, or a service's)."""
        return max(0, round((epoch_seconds - self._started_epoch) * 1000))

    def add(
        self,
        kind: Kind,
        name: str,
        *,
        at_ms: int,
        duration_ms: int,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        event = {
            "at_ms": int(at_ms),
            "kind": kind,
            "name": name,
            "duration_ms": max(0, int(duration_ms)),
            "detail": dict(detail or {}),
        }
        with self._lock:
            self._events.append(event)

    def events(self) -> list[dict[str, Any]]:
        """The events ordered by `at_ms` (ties keep the order they were recorded in)."""
        with self._lock:
            return sorted((dict(e) for e in self._events), key=lambda e: e["at_ms"])


_current: ContextVar[TraceRecorder | None] = ContextVar("patterns_trace", default=None)


def requested(headers: Mapping[str, str] | None) -> bool:
    """Whether the request asked for a trace (`X-Patterns-Trace: 1`)."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == HEADER), None)
    return str(value or "").strip() == "1"


def current() -> TraceRecorder | None:
    return _current.get()


@contextlib.contextmanager
def recording(enabled: bool = True) -> Iterator[TraceRecorder | None]:
    """Record the turn run inside (or, `enabled=False`, make sure nothing is recorded: a
    specialist that runs in its caller's process must not write into its caller's trace)."""
    recorder = TraceRecorder() if enabled else None
    token = _current.set(recorder)
    try:
        yield recorder
    finally:
        _current.reset(token)


@contextlib.contextmanager
def span(kind: Kind, name: str, **detail: Any) -> Iterator[dict[str, Any]]:
    """Time the block as one event. The yielded dict is the event's `detail`: add to it what is
    learnt inside (tokens, an outcome). A block that raises is recorded with its error type."""
    recorder = _current.get()
    if recorder is None:
        yield dict(detail)
        return
    details = dict(detail)
    started = time.perf_counter()
    try:
        yield details
    except BaseException as exc:
        details["error"] = type(exc).__name__
        raise
    finally:
        # Both ends on the turn's millisecond grid, so a span inside another stays inside it
        # after rounding (rounding start and length apart could push it 1 ms past the end).
        at_ms = recorder.since_start_ms(started)
        recorder.add(
            kind,
            name,
            at_ms=at_ms,
            duration_ms=recorder.since_start_ms(time.perf_counter()) - at_ms,
            detail=details,
        )


def add_at(
    kind: Kind,
    name: str,
    *,
    started_epoch: float,
    duration_ms: float,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Record an event timed elsewhere: `started_epoch` in seconds since the epoch (a step
    Lambda's record, a Bedrock trace's timestamps)."""
    recorder = _current.get()
    if recorder is not None:
        recorder.add(
            kind,
            name,
            at_ms=recorder.since_start_epoch_ms(started_epoch),
            duration_ms=round(duration_ms),
            detail=detail,
        )


def merge(events: Iterable[Mapping[str, Any]], *, offset_ms: int, **detail: Any) -> None:
    """Add another process's trace (a G specialist's), its `at_ms` shifted by `offset_ms` (when
    this turn sent the work) and each event's detail extended by `detail`. Anything that is
    not a well-formed event is dropped."""
    recorder = _current.get()
    if recorder is None:
        return
    for event in events:
        if not isinstance(event, Mapping) or event.get("kind") not in KINDS:
            continue
        try:
            at_ms, duration_ms = int(event.get("at_ms", 0)), int(event.get("duration_ms", 0))
        except (TypeError, ValueError):
            continue
        inner = event.get("detail")
        recorder.add(
            event["kind"],
            str(event.get("name") or event["kind"]),
            at_ms=offset_ms + max(0, at_ms),
            duration_ms=duration_ms,
            detail={**(inner if isinstance(inner, Mapping) else {}), **detail},
        )


def now_ms() -> int | None:
    """`at_ms` of this moment in the running turn, None when nothing is recorded."""
    recorder = _current.get()
    return None if recorder is None else recorder.since_start_ms(time.perf_counter())


def tool_outcome(result: Any) -> str:
    """A tool result in one word for a trace: its error code, or "ok"."""
    error = result.get("error") if isinstance(result, Mapping) else None
    if isinstance(error, Mapping):
        return str(error.get("code") or "error")
    return "ok"
