"""Pattern E: one Agents SDK agent, driven by `agents.testing.ScriptedModel`."""

from __future__ import annotations

import pytest

from pattern_core.agent_runtime.runtime import run_sync
from pattern_core.contract.turn import ChatError
from pattern_e.orchestration import handle_turn
from tests.conftest import TOMORROW
from tests.unit.agent_scripts import (
    MANY_TIMES,
    TOKENS_IN,
    TOKENS_OUT,
    call,
    calls,
    chat_turn,
    keeps_booking,
    keeps_cancelling,
    says,
    scripted,
    slot_at,
    tool_outputs,
)
from tests.unit.sessions.fakes import MemoryConversation
from tests.utils import owners

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
    assert owners(store).get(SLOT) == "alice"
    assert usage.llm_calls == 3
    assert (usage.input_tokens, usage.output_tokens) == (3 * TOKENS_IN, 3 * TOKENS_OUT)
    assert usage.tool_calls == ["check_availability", "book_slot"]
    assert "Today is 2026-11-24" in model.first_call.system_instructions
    assert {t.name for t in model.first_call.tools} == {
        "check_availability",
        "book_slot",
        "move_booking",
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
    assert owners(store).get(SLOT) == "alice"


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
    assert owners(store).get(SLOT) == "alice"


def test_a_user_id_the_model_invents_is_ignored(service, store):
    model = scripted(call("book_slot", slot_id=SLOT, user_id="mallory"), says("Done."))
    run(model, service)

    assert owners(store).get(SLOT) == "alice"
    assert service.list_bookings("mallory") == []


def test_another_caller_with_the_same_session_id_sees_nothing_of_the_first(service):
    # Given alice's conversation under "s1"
    alices = MemoryConversation("alice")
    alices.append([{"role": "user", "content": "private plans"}])
    model = scripted(says("Hello!"))

    # When mallory sends the same id
    outcome, _ = run(model, service, alices.as_caller("mallory"), message="hi", user="mallory")

    # Then mallory's agent saw only mallory's message; alice's history is untouched
    assert "private plans" not in str(model.first_call.input)
    assert outcome.reply == "Hello!"
    assert alices.stored == [{"role": "user", "content": "private plans"}]


def test_an_agent_that_keeps_booking_is_stopped_at_the_turn_budget(service, store):
    # Given a model that asks for a booking every round
    model = scripted(*keeps_booking(DAY, *MANY_TIMES))

    # When the turn runs (budget: 2 bookings per turn)
    outcome, usage = run(model, service, MemoryConversation(), message="Book everything")

    # Then two were booked, the third refused, and the run ended without asking the model again
    booked = [slot_at(DAY, "09:00"), slot_at(DAY, "10:00")]
    assert [b.slot_id for b in outcome.bookings] == booked
    assert outcome.booking == outcome.bookings[0]
    assert sorted(b.slot_id for b in service.list_bookings("alice")) == booked
    assert len(model.calls) == 3 and usage.tool_calls == ["book_slot"] * 3
    assert all(b.booking_id in outcome.reply for b in outcome.bookings)
    assert outcome.reply.endswith("I stopped there: one request may book at most 2 courts.")


def test_parallel_book_calls_are_held_to_the_budget(service, store):
    model = scripted(
        calls(*[("book_slot", {"slot_id": slot_at(DAY, t)}) for t in MANY_TIMES]),
        says("Booked them all!"),
    )

    outcome, _ = run(model, service, message="Book all the courts")

    assert len(outcome.bookings) == 2 and len(service.list_bookings("alice")) == 2
    assert len(model.calls) == 1  # the refusal ended the run: no "booked them all" reply
    assert "at most 2 courts" in outcome.reply


def test_an_agent_that_keeps_cancelling_is_stopped_at_the_cancellation_budget(service, store):
    made = [service.book(slot_at(DAY, t), "alice") for t in ("14:00", "15:00", "16:00")]
    model = scripted(*keeps_cancelling(*[b.booking_id for b in made]), says("All gone."))

    outcome, _ = run(model, service, message="Cancel everything")

    assert [b.booking_id for b in outcome.cancellations] == [b.booking_id for b in made[:2]]
    assert [b.booking_id for b in service.list_bookings("alice")] == [made[2].booking_id]
    assert all(b.booking_id in outcome.reply for b in made[:2])
    assert "one request may cancel at most 2 bookings" in outcome.reply


def test_max_turns_after_two_bookings_reports_both(service, store):
    model = scripted(*keeps_booking(DAY, "14:00"), *keeps_booking(DAY, "15:00"))

    outcome, _ = run(model, service, max_turns=2)

    assert [b.slot_id for b in outcome.bookings] == [slot_at(DAY, "14:00"), slot_at(DAY, "15:00")]
    assert all(b.booking_id in outcome.reply for b in outcome.bookings)
    assert "had not finished within 2 turns" in outcome.reply
