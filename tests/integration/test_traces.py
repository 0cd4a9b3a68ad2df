"""Per-turn traces on all eight patterns' real handlers (moto, the offline stand-in model, real
HTTP API v2 events): `X-Patterns-Trace: 1` adds `trace`, each engine's events come from its own
mechanism, the events are ordered, nothing is added without the header, no prompt text leaks,
and an idempotent replay never mixes in the first run's trace.
"""

from __future__ import annotations

import json

import pytest

from pattern_core.agent_runtime.instructions import assistant_instructions
from pattern_core.contract.trace import KINDS
from pattern_core.model.understanding import system_prompt
from pattern_core.workflow.steps import REPLY_INSTRUCTIONS
from tests.integration import test_edge_all_patterns as edge
from tests.integration import test_pattern_c_workflow as c_workflow
from tests.integration.chat_harness import (  # noqa: F401 - fixtures
    chat_env,
    offline_model,
)
from tests.integration.test_pattern_c_workflow import pattern_c  # noqa: F401
from tests.integration.test_pattern_g_handler import invocations  # noqa: F401
from tests.utils import chat_event

ALICE, call = edge.ALICE, edge.call
handler = edge.handler  # the fixture: each pattern's real /chat handler, as deployed
fake_model = edge.fake_model  # the fixture: a model server that answers what it is told

MESSAGE = "Book tomorrow at 3pm"

# What each engine's own mechanism must show for "Book tomorrow at 3pm", at least.
EXPECTED = {
    "A": {"model_call"},  # the one understanding call
    "B": {"step", "model_call"},  # the workflow's steps; the model inside two of them
    "C": {"state"},  # the execution's own trail
    "D": {"model_call", "tool_call"},  # the loop's model rounds and the tools it ran
    "E": {"model_call", "tool_call"},  # Agents SDK spans
    "F": {"model_call", "tool_call"},
    "G": {"lambda_invoke"},  # the manager's specialist invokes
    "H": {"tool_call"},  # the (simulated, locally) Bedrock trace's action-group calls
}


def traced_event(body: dict, *, key: str | None = None) -> dict:
    event = chat_event(body, caller_arn=ALICE)
    event["headers"]["x-patterns-trace"] = "1"
    if key:
        event["headers"]["idempotency-key"] = key
    return event


def prompt_texts(schedule) -> list[str]:
    """Prompt text the patterns send the model: none of it may appear in a trace."""
    return [
        system_prompt(schedule)[:80],
        assistant_instructions(schedule)[:80],
        REPLY_INSTRUCTIONS[:80],
    ]


def test_a_traced_turn_shows_each_engines_own_events_in_order(request, handler, dynamodb, schedule):
    pattern = request.node.callspec.params["handler"]  # handlers share one factory module

    status, body, _ = call(handler, traced_event({"message": MESSAGE}))

    assert status == 200, body
    assert body["bookings"], body  # the traced turn did the real work
    events = body["trace"]
    assert events, body
    kinds = {event["kind"] for event in events}
    assert EXPECTED[pattern] <= kinds, (pattern, events)
    assert kinds <= set(KINDS)
    for event in events:
        assert set(event) == {"at_ms", "kind", "name", "duration_ms", "detail"}
        assert event["at_ms"] >= 0 and event["duration_ms"] >= 0 and event["name"]
    assert [e["at_ms"] for e in events] == sorted(e["at_ms"] for e in events)
    # Every event lies inside the turn (up to rounding across clocks)
    assert max(e["at_ms"] + e["duration_ms"] for e in events) <= body["usage"]["duration_ms"] + 5
    text = json.dumps(events)
    assert MESSAGE not in text  # not even the person's own words
    for prompt in prompt_texts(schedule):
        assert prompt not in text


@pytest.mark.parametrize("handler", list("ADEH"), indirect=True)
def test_tool_and_model_events_carry_what_was_measured(request, handler, dynamodb):
    pattern = request.node.callspec.params["handler"]  # handlers share one factory module

    _, body, _ = call(handler, traced_event({"message": MESSAGE}))

    tools = [e for e in body["trace"] if e["kind"] == "tool_call"]
    models = [e for e in body["trace"] if e["kind"] == "model_call"]
    if pattern != "A":
        # The tools as they ran (usage) and as the model asked for them (arguments)
        assert [e["name"] for e in tools] == body["usage"]["tool_calls"], body
        booked = next(e for e in tools if e["name"] == "book_slot")
        # the arguments as the model sent them: here a day and time (book_slot takes either)
        sent = json.dumps(booked["detail"]["arguments"])
        assert body["booking"]["date"] in sent and body["booking"]["time"] in sent
        assert booked["detail"]["outcome"] == "ok"
    if pattern == "H":
        assert all(e["detail"]["simulated"] is True for e in body["trace"])
        return
    assert len(models) == body["usage"]["llm_calls"]
    assert sum(e["detail"]["input_tokens"] for e in models) == body["usage"]["input_tokens"]
    assert sum(e["detail"]["output_tokens"] for e in models) == body["usage"]["output_tokens"]


@pytest.mark.parametrize("handler", list("C"), indirect=True)
def test_c_shows_every_state_its_execution_entered_inside_the_sync_execution(handler, dynamodb):
    _, body, _ = call(handler, traced_event({"message": MESSAGE}))

    states = [e for e in body["trace"] if e["kind"] == "state"]
    assert [e["name"] for e in states] == c_workflow.BOOKING_STATES, body["trace"]
    assert body["usage"]["state_transitions"] == len(states)
    choice = states[2]
    assert choice["detail"] == {"next": "ChooseSlot"}
    assert states[1]["at_ms"] <= choice["at_ms"] <= states[3]["at_ms"]
    # The API Lambda's StartSyncExecution holds the whole execution: no state outside it
    (execution,) = [e for e in body["trace"] if e["name"] == "StartSyncExecution"]
    assert execution["kind"] == "step" and execution["detail"] == {"status": "SUCCEEDED"}
    for state in states:  # up to rounding across the two clocks
        assert execution["at_ms"] - 2 <= state["at_ms"], (state, execution)
        end = execution["at_ms"] + execution["duration_ms"]
        assert state["at_ms"] + state["duration_ms"] <= end + 2, (state, execution)


@pytest.mark.parametrize("handler", list("C"), indirect=True)
def test_c_shows_the_choice_skipping_to_the_reply_when_nothing_is_bookable(handler, dynamodb):
    _, body, _ = call(handler, traced_event({"message": "What's free tomorrow afternoon?"}))

    states = [e for e in body["trace"] if e["kind"] == "state"]
    assert [e["name"] for e in states] == c_workflow.NOTHING_BOOKABLE_STATES, body["trace"]
    assert states[2]["detail"] == {"next": "WriteReply"}
    assert body["usage"]["state_transitions"] == len(states)


@pytest.mark.parametrize("handler", list("G"), indirect=True)
def test_g_shows_each_specialist_invoke_with_the_specialists_own_events_inside(handler, dynamodb):
    _, body, _ = call(handler, traced_event({"message": MESSAGE}))

    invokes = [e for e in body["trace"] if e["kind"] == "lambda_invoke"]
    assert len(invokes) == body["usage"]["lambda_invocations"] - 1, body
    inner = [e for e in body["trace"] if e["detail"].get("specialist")]
    assert {e["kind"] for e in inner} >= {"model_call", "tool_call"}, body
    for event in inner:  # inside the invoke that carried it
        outer = next(i for i in invokes if i["name"] == event["detail"]["specialist"])
        assert outer["at_ms"] <= event["at_ms"] <= outer["at_ms"] + outer["duration_ms"]


@pytest.mark.parametrize("handler", list("E"), indirect=True)
def test_e_shows_checking_and_booking_as_the_sdks_tool_spans(handler, dynamodb):
    """Asked, then told which: the SDK's function spans name `check_availability`, then
    `book_slot`, inside the agent's own span (a day and time alone is booked in one call)."""
    _, asked, _ = call(handler, traced_event({"message": "What's free tomorrow afternoon?"}))
    session = asked["session_id"]
    _, booked, _ = call(
        handler, traced_event({"message": "Book the 3pm one", "session_id": session})
    )

    assert booked["booking"]["time"] == "15:00", booked
    for body, tool in ((asked, "check_availability"), (booked, "book_slot")):
        tools = [e for e in body["trace"] if e["kind"] == "tool_call"]
        assert [e["name"] for e in tools] == [tool], body["trace"]
        agent = next(e for e in body["trace"] if e["kind"] == "step" and e["detail"]["agent"])
        assert agent["at_ms"] <= tools[0]["at_ms"] <= agent["at_ms"] + agent["duration_ms"]


@pytest.mark.parametrize("handler", list("AC"), indirect=True)
def test_a_turn_that_ends_in_a_model_error_carries_its_trace(
    request, handler, dynamodb, fake_model, monkeypatch
):
    # Given a model that answers garbage: A's error is answered by the resolver's handler for
    # model errors, C's by its workflow's failure reply (a ChatError from the turn)
    pattern = request.node.callspec.params["handler"]
    edge.use_model(monkeypatch, fake_model.base_url)
    fake_model.body = b"not json"

    status, body, _ = call(handler, traced_event({"message": MESSAGE}))

    # Then the error still says what happened, and its trace shows where the turn failed
    assert (status, body["error"]["code"]) == (502, "model_error"), body
    events = body["trace"]
    if pattern == "A":
        (model,) = [e for e in events if e["kind"] == "model_call"]
        assert model["detail"]["error"], events
    else:
        states = [(e["name"], e["detail"]["failed"]) for e in events if e["kind"] == "state"]
        assert states == [("Understand", True), ("FailureReply", False)], events
        assert [e["name"] for e in events if e["kind"] == "step"] == ["StartSyncExecution"]


def test_a_request_refused_before_its_turn_carries_no_trace(handler, dynamodb):
    event = traced_event({"message": MESSAGE, "unexpected": True})

    status, body, _ = call(handler, event)

    assert (status, body["error"]["code"]) == (422, "validation_error")
    assert "trace" not in body


def test_no_trace_without_the_header(handler, dynamodb):
    event = chat_event({"message": MESSAGE}, caller_arn=ALICE)

    status, body, _ = call(handler, event)

    assert status == 200, body
    assert "trace" not in body


@pytest.mark.parametrize("handler", list("AE"), indirect=True)
def test_an_idempotent_replay_carries_no_trace_of_the_first_run(handler, dynamodb):
    # Given a traced first request with an Idempotency-Key
    status, first, _ = call(handler, traced_event({"message": MESSAGE}, key="trace-retry-1"))
    assert status == 200 and first["trace"], first

    # When it is retried with and without the trace header
    untraced = chat_event({"message": MESSAGE}, caller_arn=ALICE)
    untraced["headers"]["idempotency-key"] = "trace-retry-1"
    _, plain, headers = call(handler, untraced)
    _, traced, _ = call(handler, traced_event({"message": MESSAGE}, key="trace-retry-1"))

    # Then the replay is the first answer, without the first run's trace: nothing ran again
    assert headers["Idempotent-Replayed"] == "true"
    assert "trace" not in plain
    assert traced["trace"] == []
    assert plain["reply"] == first["reply"] and plain["usage"] == first["usage"]
