"""Pattern H's trace events come from Bedrock's own trace: each model call and action-group call
timed by the trace's timestamps (`metadata.startTime`/`totalTimeMs`, else `eventTime`), with
the arguments as the agent's model filled them; only the local simulation's are "simulated"."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from pattern_core.contract import trace
from pattern_h.engines import read_agent_stream
from tests.utils import load_event


def recorded_stream(base: float, *, simulated: bool = False) -> list[dict]:
    """The recorded InvokeAgent stream with the timing fields Bedrock sets: each part's
    `eventTime`, and `metadata` start and duration on model and action-group outputs."""
    events = json.loads(json.dumps(load_event("bedrock_invoke_agent_booking_stream")["completion"]))
    for index, event in enumerate(events):
        if "chunk" in event:
            event["chunk"]["bytes"] = event["chunk"]["bytes"].encode()
            continue
        part = event["trace"]
        part["eventTime"] = dt.datetime.fromtimestamp(base + 0.1 * (index + 1), dt.UTC)
        if simulated:
            part["simulated"] = True
        step = part["trace"]["orchestrationTrace"]
        output = step.get("modelInvocationOutput") or step.get("observation", {}).get(
            "actionGroupInvocationOutput"
        )
        if output is not None:  # started 50 ms before it was reported, lasted 40 ms
            output.setdefault("metadata", {})["startTime"] = dt.datetime.fromtimestamp(
                base + 0.1 * (index + 1) - 0.05, dt.UTC
            )
            output["metadata"]["totalTimeMs"] = 40
    return events


def test_model_and_action_group_calls_are_timed_by_bedrocks_trace():
    with trace.recording() as recorder:
        base = time.time()
        run = read_agent_stream(recorded_stream(base))

    events = recorder.events()
    assert [(e["kind"], e["name"]) for e in events] == [
        ("model_call", "agent model"),
        ("tool_call", "check_availability"),
        ("model_call", "agent model"),
        ("tool_call", "book_slot"),
        ("model_call", "agent model"),
    ]
    # Event i of the stream (0-based) started at 100*(i+1) - 50 ms: parts 0, 3, 4, 6 and 7
    assert [e["at_ms"] for e in events] == pytest.approx([50, 350, 450, 650, 750], abs=15)
    assert all(e["duration_ms"] == 40 for e in events)
    tools = [e for e in events if e["kind"] == "tool_call"]
    assert tools[0]["detail"]["arguments"] == {"date": "2026-11-25", "time": "15:00"}
    assert tools[1]["detail"]["arguments"] == {"slot_id": "2026-11-25_CourtA_1500"}
    assert [e["detail"]["input_tokens"] for e in events if e["kind"] == "model_call"] == [
        1203,
        1389,
        1522,
    ]
    assert not any("simulated" in e["detail"] for e in events)  # a real trace is not marked
    assert "Booked Court A" not in json.dumps(events)  # nor does the reply leak into it
    assert [call.name for call in run.tool_calls] == ["check_availability", "book_slot"]


def test_the_simulations_events_say_so():
    with trace.recording() as recorder:
        read_agent_stream(recorded_stream(time.time(), simulated=True))

    assert all(e["detail"]["simulated"] is True for e in recorder.events())


def test_an_untraced_turn_reads_the_stream_as_before():
    run = read_agent_stream(recorded_stream(time.time()))

    assert run.llm_calls == 3 and run.input_tokens == 1203 + 1389 + 1522
