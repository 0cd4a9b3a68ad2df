"""Pattern E: one Agents SDK agent, driven by `agents.testing.ScriptedModel`."""

from __future__ import annotations

import pytest

from pattern_core.agent_runtime import run_sync
from pattern_core.http import ChatError
from pattern_e.orchestration import handle_turn
from tests.conftest import TOMORROW
from tests.unit.agent_scripts import (
    TOKENS_IN,
    TOKENS_OUT,
    call,
    chat_turn,
    says,
    scripted,
    tool_outputs,
)
from tests.unit.sessions.fakes import MemoryConversation

DAY = TOMORROW.isoformat()
SLOT = f"{DAY}_CourtB_1500"


def run(model, service, conversation=None, message="Book tomorrow at 3pm", user="alice", **kw):
    turn = chat_turn(message, user)
    outcome = run_sync(handle_turn(turn, service, conversation, model=model, **kw))
    return outcome, turn.usage


def test_books_through_the_agents_tools_and_reports_the_sdks_usage(service, store):
    model = scripted(
        call("check_availability", date=DAY, time="15:00"),
        call("book_slot", slot_id=SLOT),
        says("Booked Court B tomorrow at 15:00."),
    )
    outcome, usage = run(model, service, MemoryConversation())

    model.assert_complete()
    assert outcome.reply == "Booked Court B tomorrow at 15:00."
    assert outcome.booking is not None and outcome.booking.slot_id == SLOT
    assert store.owner_of(SLOT) == "alice"
    assert usage.llm_calls == 3
    assert (usage.input_tokens, usage.output_tokens) == (3 * TOKENS_IN, 3 * TOKENS_OUT)
    assert usage.tool_calls == ["check_availability", "book_slot"]
    assert "Today is 2026-11-24" in model.first_call.system_instructions
    assert {t.name for t in model.first_call.tools} == {
        "check_availability",
        "book_slot",
        "list_bookings",
        "cancel_booking",
    }


def test_a_follow_up_turn_gets_the_earlier_turn_from_the_session(service, store):
    conversation = MemoryConversation()
    first = scripted(call("check_availability", date=DAY, time=None), says("14:00-16:00 free."))
    run(first, service, conversation, "What's free tomorrow afternoon?")

    second = scripted(call("book_slot", slot_id=SLOT), says("Booked 15:00."))
    outcome, _ = run(second, service, conversation, "Book the 3pm one")

    history = second.first_call.input
    assert history[0]["content"] == "What's free tomorrow afternoon?"
    assert any(SLOT in str(item) for item in history)  # the earlier tool result
    assert history[-1]["content"] == "Book the 3pm one"
    assert outcome.booking is not None and outcome.booking.slot_id == SLOT
    assert store.owner_of(SLOT) == "alice"


def test_a_taken_slot_comes_back_to_the_agent_with_alternatives(service, store):
    service.book(SLOT, "bob")
    model = scripted(
        call("book_slot", slot_id=SLOT),
        call("book_slot", slot_id=f"{DAY}_CourtC_1500"),
        says("Court B was taken; booked Court C."),
    )
    outcome, usage = run(model, service)

    (error,) = tool_outputs(model, 1)
    assert error["error"]["code"] == "slot_taken"
    assert f"{DAY}_CourtC_1500" in str(error)
    assert outcome.booking is not None and outcome.booking.court == "Court C"
    assert usage.tool_calls == ["book_slot", "book_slot"]


def test_max_turns_stops_a_looping_agent_with_an_honest_error(service):
    model = scripted(*[call("list_bookings") for _ in range(3)])

    with pytest.raises(ChatError) as stopped:
        run(model, service, message="hi", max_turns=3)

    assert (stopped.value.status, stopped.value.code) == (502, "loop_limit")
    assert "no booking was made" in stopped.value.message


def test_max_turns_after_a_booking_reports_the_booking(service, store):
    model = scripted(call("book_slot", slot_id=SLOT), call("list_bookings"))
    outcome, _ = run(model, service, max_turns=2)

    assert outcome.booking is not None and outcome.booking.slot_id == SLOT
    assert "stopped" in outcome.reply
    assert store.owner_of(SLOT) == "alice"


def test_a_user_id_the_model_invents_is_ignored(service, store):
    model = scripted(call("book_slot", slot_id=SLOT, user_id="mallory"), says("Done."))
    run(model, service)

    assert store.owner_of(SLOT) == "alice"
    assert service.list_bookings("mallory") == []


def test_another_callers_session_is_refused_before_the_model_runs(service):
    alices = MemoryConversation("alice")
    alices.append([{"role": "user", "content": "private"}])
    model = scripted()

    with pytest.raises(ChatError) as refused:
        run(model, service, alices.as_caller("mallory"), user="mallory")

    assert refused.value.status == 403
    assert model.calls == ()
