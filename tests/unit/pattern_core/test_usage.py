"""UsageMeter is the one writer of a turn's usage: each kind of figure, and the snapshot that
carries a remote step's figures across processes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from pattern_core.usage import UsageFigures, UsageMeter


def test_model_calls_runs_and_remote_figures_add_up():
    meter = UsageMeter()

    meter.record_model_call(SimpleNamespace(prompt_tokens=10, completion_tokens=2))
    meter.record_model_call(SimpleNamespace(input_tokens=5, output_tokens=1))  # Responses API
    meter.record_model_run(
        SimpleNamespace(requests=3, input_tokens=30, output_tokens=6), ["check_availability"]
    )
    meter.record_remote(UsageFigures(llm_calls=2, input_tokens=7, output_tokens=3))

    assert (meter.llm_calls, meter.input_tokens, meter.output_tokens) == (7, 52, 12)
    assert meter.tool_calls == ["check_availability"]


def test_a_snapshot_crosses_a_process_boundary_as_json_and_adds_up_on_the_other_side():
    step = UsageMeter()
    step.record_model_call(SimpleNamespace(prompt_tokens=11, completion_tokens=4))
    wire = step.snapshot().model_dump_json()

    turn = UsageMeter()
    turn.record_remote(UsageFigures.model_validate_json(wire))

    assert turn.as_dict()["llm_calls"] == 1 and turn.as_dict()["input_tokens"] == 11


def test_invocations_transitions_and_steps_are_reported():
    meter = UsageMeter()

    meter.record_invocations(2)
    meter.record_state_transitions(5)
    meter.record_step("understand", 12)
    body = meter.as_dict()

    assert body["lambda_invocations"] == 3  # the /chat function and two more
    assert body["state_transitions"] == 5 and body["steps_ms"] == {"understand": 12}


def test_a_timed_step_is_recorded_even_when_it_raises():
    meter = UsageMeter()

    with pytest.raises(RuntimeError), meter.timed_step("book") as timing:
        raise RuntimeError("step failed")

    assert meter.steps == {"book": timing["ms"]} and timing["ms"] >= 0


def test_a_managed_run_reports_only_what_its_trace_shows():
    meter = UsageMeter()

    meter.record_managed_run(None, 120, 30)

    assert meter.as_dict()["llm_calls"] is None
    assert (meter.input_tokens, meter.output_tokens) == (120, 30)
