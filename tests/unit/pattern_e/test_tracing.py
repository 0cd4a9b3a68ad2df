"""The Agents SDK's spans as a turn's trace: a recorded turn gets tool calls (with their
arguments as the model sent them) and agent steps; the SDK's exporter never sees a span unless
export is switched on. (`ScriptedModel` opens no response spans: model calls from the SDK are
proved through the real OpenAI model class, in tests/integration/test_traces.py.)"""

from __future__ import annotations

import json

import pytest
from agents import flush_traces
from agents.tracing.processors import BackendSpanExporter

from pattern_core.agent_runtime import tracing
from pattern_core.agent_runtime.runtime import run_sync
from pattern_core.contract import trace
from pattern_e.orchestration import handle_turn
from tests.conftest import TOMORROW
from tests.unit.agent_scripts import call, chat_turn, says, scripted
from tests.unit.sessions.fakes import MemoryConversation

SLOT = f"{TOMORROW.isoformat()}_CourtB_1500"


@pytest.fixture
def exported(monkeypatch) -> list:
    """What the SDK's default exporter would send to OpenAI (nothing leaves the process)."""
    sent: list = []
    monkeypatch.setattr(BackendSpanExporter, "export", lambda self, items: sent.extend(items))
    return sent


def booking_run(service, *, recorded: bool):
    model = scripted(
        call("check_availability", date=TOMORROW.isoformat(), time="15:00"),
        call("book_slot", slot_id=SLOT),
        says("Booked Court B tomorrow at 15:00."),
    )
    turn = chat_turn("Book tomorrow at 3pm", "alice")
    with trace.recording(recorded) as recorder:
        run_sync(handle_turn(turn, service, MemoryConversation(), model=model))
    flush_traces()
    return turn, (recorder.events() if recorder else None)


def test_a_recorded_turn_gets_the_sdks_spans_as_events_and_exports_nothing(
    service, exported, monkeypatch
):
    monkeypatch.setenv("OPENAI_AGENTS_DISABLE_TRACING", "1")

    turn, events = booking_run(service, recorded=True)

    tools = [e for e in events if e["kind"] == "tool_call"]
    steps = [e for e in events if e["kind"] == "step"]
    assert (
        [e["name"] for e in tools] == turn.usage.tool_calls == ["check_availability", "book_slot"]
    )
    assert json.loads(tools[1]["detail"]["arguments"]) == {"slot_id": SLOT}
    assert tools[1]["detail"]["outcome"] == "ok"
    assert all(e["detail"]["agent"] == "Court booking assistant" for e in tools)
    assert [e["name"] for e in steps] == ["Court booking assistant"]
    (step,) = steps  # the agent's run encloses its tools
    assert all(step["at_ms"] <= e["at_ms"] <= step["at_ms"] + step["duration_ms"] for e in tools)
    assert [e["at_ms"] for e in events] == sorted(e["at_ms"] for e in events)
    assert "Today is" not in json.dumps(events)  # no instructions, no prompt
    assert exported == []


def test_an_unrecorded_turn_is_not_traced_at_all(service, exported, monkeypatch):
    monkeypatch.setenv("OPENAI_AGENTS_DISABLE_TRACING", "1")
    seen: list = []
    monkeypatch.setattr(tracing.PROCESSOR, "on_span_start", seen.append)

    turn, events = booking_run(service, recorded=False)
    assert events is None and turn.usage.tool_calls == ["check_availability", "book_slot"]
    assert seen == [] and exported == []  # no span was even opened

    booking_run(service, recorded=True)  # the same run, recorded, is traced
    assert seen


def test_export_switched_on_sends_the_spans_and_still_records_the_turn(
    service, exported, monkeypatch
):
    monkeypatch.setenv("OPENAI_AGENTS_DISABLE_TRACING", "0")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")
    try:
        _, events = booking_run(service, recorded=True)
    finally:
        monkeypatch.setenv("OPENAI_AGENTS_DISABLE_TRACING", "1")
        booking_run(service, recorded=False)  # back to no exporter for the tests after this

    assert exported  # the opted-in exporter got the run's trace and spans
    assert {e["kind"] for e in events} == {"step", "tool_call"}
