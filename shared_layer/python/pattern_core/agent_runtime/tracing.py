"""The Agents SDK's own spans as the turn's trace (patterns E, F and G).

`TurnTraceProcessor` is a `TracingProcessor`: the SDK hands it every span of a run it traces,
and it turns the ones a person wants to see into trace events of the turn that started the
run (`pattern_core.contract.trace`) — a model response or generation is a `model_call` (model
and tokens), a function tool a `tool_call` (its arguments as the model sent them, and its
outcome), an agent's run or a handoff a `step`. Prompts, instructions and replies stay out.

`install` decides who receives spans. Export to OpenAI stays off unless asked for
(`OPENAI_AGENTS_DISABLE_TRACING=0`): then the SDK's default exporter is kept next to this
processor; otherwise this processor *replaces* it (`set_trace_processors`, not
`add_trace_processor`, which would keep the exporter), so spans never leave the process.
A run is traced at all only when its turn is recorded or export is on (`run_tracing`).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agents.tracing import (
    AgentSpanData,
    FunctionSpanData,
    GenerationSpanData,
    HandoffSpanData,
    ResponseSpanData,
    Span,
    Trace,
    TracingProcessor,
    set_trace_processors,
    set_tracing_disabled,
)
from agents.tracing.processors import default_processor

from pattern_core.contract import trace as turn_trace


@dataclass
class _OpenSpan:
    """A span of a recorded turn, from its start to its end."""

    recorder: turn_trace.TraceRecorder
    parent_id: str | None
    agent: str | None  # the agent's name, for an agent span


class TurnTraceProcessor(TracingProcessor):
    """SDK spans → events of the recorded turn each span was started in; spans started outside
    a recorded turn are ignored. The recorder is looked up when a span *starts*, in the context
    that starts it: a G specialist run in its manager's process shares the manager's SDK trace
    but records into its own turn (the manager merges it, as from a separate Lambda)."""

    def __init__(self) -> None:
        self._open: dict[str, _OpenSpan] = {}
        self._lock = threading.Lock()

    def on_trace_start(self, trace: Trace) -> None:
        return None

    def on_trace_end(self, trace: Trace) -> None:
        return None

    def on_span_start(self, span: Span[Any]) -> None:
        recorder = turn_trace.current()
        if recorder is None:
            return
        data = span.span_data
        agent = data.name if isinstance(data, AgentSpanData) else None
        with self._lock:
            self._open[span.span_id] = _OpenSpan(recorder, span.parent_id, agent)

    def on_span_end(self, span: Span[Any]) -> None:
        with self._lock:
            opened = self._open.pop(span.span_id, None)
            agent = self._agent_of(span.parent_id)
        if opened is None or span.started_at is None:
            return
        event = span_event(span, agent)
        if event is None:
            return
        kind, name, detail = event
        if span.error:
            detail["error"] = span.error.get("message", "error")
        started = _epoch(span.started_at)
        ended = _epoch(span.ended_at) if span.ended_at else started
        recorder = opened.recorder
        recorder.add(
            kind,
            name,
            at_ms=recorder.since_start_epoch_ms(started),
            duration_ms=round((ended - started) * 1000),
            detail=detail,
        )

    def _agent_of(self, span_id: str | None) -> str | None:
        """The name of the agent whose run encloses `span_id` (enclosing spans are open)."""
        while span_id is not None and (opened := self._open.get(span_id)) is not None:
            if opened.agent is not None:
                return opened.agent
            span_id = opened.parent_id
        return None

    def shutdown(self) -> None:
        with self._lock:
            self._open.clear()

    def force_flush(self) -> None:
        return None


def span_event(span: Span[Any], agent: str | None) -> tuple[str, str, dict] | None:
    """(kind, name, detail) for a span worth showing; None for the rest (turns, guardrails…)."""
    data = span.span_data
    if isinstance(data, ResponseSpanData):
        response = data.response
        detail = {"model": getattr(response, "model", None), **_tokens(response)}
        return "model_call", agent or "model", detail
    if isinstance(data, GenerationSpanData):
        usage = data.usage or {}
        detail = {
            "model": data.model,
            "input_tokens": usage.get("input_tokens"),
            "output_tokens": usage.get("output_tokens"),
        }
        return "model_call", agent or "model", detail
    if isinstance(data, FunctionSpanData):
        detail: dict[str, Any] = {"arguments": data.input}
        if agent:
            detail["agent"] = agent
        if data.output is not None:
            detail["outcome"] = turn_trace.tool_outcome(_json(data.output))
        return "tool_call", data.name, detail
    if isinstance(data, AgentSpanData):
        return "step", data.name, {"agent": True}
    if isinstance(data, HandoffSpanData):
        return "step", f"handoff to {data.to_agent}", {"from": data.from_agent}
    return None


def _tokens(response: Any) -> dict[str, int | None]:
    usage = getattr(response, "usage", None)
    return {
        "input_tokens": getattr(usage, "input_tokens", None),
        "output_tokens": getattr(usage, "output_tokens", None),
    }


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return None


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


PROCESSOR = TurnTraceProcessor()
_installed: list[bool] = []  # the export setting the processors were last set for
_install_lock = threading.Lock()


def install(export: bool) -> None:
    """Make this processor receive the SDK's spans; keep the default exporter only if `export`.
    Tracing is switched on globally (on every run: anything may have switched it off) so a run
    may be traced; `run_tracing` decides per run."""
    with _install_lock:
        if _installed != [export]:
            set_trace_processors([default_processor(), PROCESSOR] if export else [PROCESSOR])
            _installed[:] = [export]
        set_tracing_disabled(False)


@dataclass(frozen=True)
class RunTracing:
    """The tracing part of one run's `RunConfig`."""

    disabled: bool
    include_sensitive_data: bool | None  # None: the SDK's own default


def run_tracing(export: bool) -> RunTracing:
    """Trace a run when its turn is recorded or export is on. Tool arguments (the SDK's
    "sensitive data") are kept for the recorded turn only when nothing is exported: then the
    spans stay in this process and the processor copies only the arguments."""
    install(export)
    recorded = turn_trace.current() is not None
    if export:
        return RunTracing(disabled=False, include_sensitive_data=None)
    return RunTracing(disabled=not recorded, include_sensitive_data=True if recorded else None)
