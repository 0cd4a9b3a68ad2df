"""The per-turn trace recorder: off unless a turn is recorded, events ordered by when they
began, errors named, another process's trace merged onto this turn's clock."""

from __future__ import annotations

import time

import pytest

from pattern_core.contract import trace


def test_nothing_is_recorded_outside_a_recorded_turn():
    with trace.span("tool_call", "book_slot", arguments="{}") as detail:
        detail["outcome"] = "ok"
    trace.add_at("state", "Book", started_epoch=time.time(), duration_ms=5)
    trace.merge([{"at_ms": 0, "kind": "model_call", "name": "m", "duration_ms": 1}], offset_ms=3)

    assert trace.current() is None
    assert trace.now_ms() is None


def test_events_come_out_ordered_by_when_they_began():
    with trace.recording() as recorder:
        time.sleep(0.005)
        began = time.time()
        time.sleep(0.005)
        with trace.span("step", "outer"):
            time.sleep(0.01)
            with trace.span("model_call", "inner", model="m") as detail:
                detail["input_tokens"] = 12
        # recorded last, began first: another process's record, told by the wall clock
        trace.add_at("state", "Understand", started_epoch=began, duration_ms=3.4)

    events = recorder.events()
    assert [e["name"] for e in events] == ["Understand", "outer", "inner"]
    outer, inner = events[1], events[2]
    assert inner["detail"] == {"model": "m", "input_tokens": 12}
    assert outer["at_ms"] <= inner["at_ms"] <= outer["at_ms"] + outer["duration_ms"]
    assert outer["duration_ms"] >= 10
    assert events[0]["duration_ms"] == 3


def test_a_block_that_raises_is_recorded_with_its_error_type():
    with (
        trace.recording() as recorder,
        pytest.raises(TimeoutError),
        trace.span("model_call", "understanding the message"),
    ):
        raise TimeoutError("slow")

    (event,) = recorder.events()
    assert event["detail"] == {"error": "TimeoutError"}


def test_a_nested_recording_shadows_the_outer_one_and_off_means_off():
    with trace.recording() as outer:
        with trace.recording(False), trace.span("step", "not recorded anywhere"):
            pass
        with trace.recording() as inner, trace.span("step", "the inner turn's"):
            pass
        with trace.span("step", "the outer turn's"):
            pass

    assert [e["name"] for e in inner.events()] == ["the inner turn's"]
    assert [e["name"] for e in outer.events()] == ["the outer turn's"]


def test_a_merged_trace_is_shifted_labelled_and_cleaned_of_anything_malformed():
    specialist = [
        {"at_ms": 5, "kind": "model_call", "name": "m", "duration_ms": 7, "detail": {"x": 1}},
        {"at_ms": 20, "kind": "tool_call", "name": "book_slot", "duration_ms": 2},
        {"at_ms": 1, "kind": "shell", "name": "rm", "duration_ms": 1},  # not a kind
        {"at_ms": "soon", "kind": "step", "name": "s", "duration_ms": 1},
        "not an event",
    ]
    with trace.recording() as recorder:
        trace.merge(specialist, offset_ms=100, specialist="booking specialist")

    assert recorder.events() == [
        {
            "at_ms": 105,
            "kind": "model_call",
            "name": "m",
            "duration_ms": 7,
            "detail": {"x": 1, "specialist": "booking specialist"},
        },
        {
            "at_ms": 120,
            "kind": "tool_call",
            "name": "book_slot",
            "duration_ms": 2,
            "detail": {"specialist": "booking specialist"},
        },
    ]


@pytest.mark.parametrize(
    ("headers", "asked"),
    [
        ({"x-patterns-trace": "1"}, True),
        ({"X-Patterns-Trace": " 1 "}, True),
        ({"x-patterns-trace": "0"}, False),
        ({"x-patterns-trace": "yes"}, False),
        ({}, False),
        (None, False),
    ],
)
def test_a_trace_is_asked_for_with_the_header_set_to_1(headers, asked):
    assert trace.requested(headers) is asked


def test_a_tool_result_is_told_in_one_word():
    assert trace.tool_outcome({"booking": {}}) == "ok"
    assert trace.tool_outcome({"error": {"code": "slot_taken"}}) == "slot_taken"
    assert trace.tool_outcome(None) == "ok"
