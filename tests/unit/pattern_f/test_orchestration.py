"""Pattern F: a manager agent with specialist agents as tools, driven by one ScriptedModel.

The scripted model answers every agent in call order (the run config's model serves the
nested specialist runs too), so each script reads as the conversation between the agents.
"""

from __future__ import annotations

import pytest

from pattern_core.agent_runtime.runtime import run_sync
from pattern_core.contract.turn import ChatError
from pattern_f.orchestration import handle_turn
from tests.conftest import TOMORROW
from tests.unit.agent_scripts import (
    MANY_TIMES,
    TOKENS_IN,
    call,
    calls,
    chat_turn,
    keeps_booking,
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
    turn = chat_turn(message, user, "F")
    outcome = run_sync(handle_turn(turn, service, conversation, model=model, **kw))
    return outcome, turn.usage


def booking_script(slot: str = SLOT, **book_args):
    return [
        call("booking_specialist", input=f"Book a court on {DAY} at 15:00"),  # manager
        call("check_availability", date=DAY, time="15:00"),  # booking specialist
        call("book_slot", slot_id=slot, **book_args),
        says("Booked Court B on 2026-11-25 at 15:00."),
        says("You're booked: Court B tomorrow at 15:00."),  # manager relays
    ]


def test_the_manager_routes_a_booking_to_the_booking_specialist(service, store):
    model = scripted(*booking_script())
    outcome, usage = run(model, service, MemoryConversation())

    model.assert_complete()
    assert outcome.reply == "You're booked: Court B tomorrow at 15:00."
    assert outcome.booking is not None and outcome.booking.slot_id == SLOT
    assert owners(store).get(SLOT) == "alice"
    # Usage from the SDK's accounting, nested specialist runs included.
    assert usage.llm_calls == 5 and usage.input_tokens == 5 * TOKENS_IN
    assert usage.tool_calls == ["booking_specialist", "check_availability", "book_slot"]
    manager, specialist = model.calls[0], model.calls[1]
    assert {t.name for t in manager.tools} == {"availability_specialist", "booking_specialist"}
    assert {t.name for t in specialist.tools} == {
        "check_availability",
        "book_slot",
        "move_booking",
        "list_bookings",
        "cancel_booking",
    }
    # The specialist works from the manager's request, not the conversation.
    assert f"Book a court on {DAY} at 15:00" in str(specialist.input)


def test_the_availability_specialist_can_only_look(service, store):
    model = scripted(
        call("availability_specialist", input=f"Check availability on {DAY} afternoon"),
        call("check_availability", date=DAY, time=None),
        says("14:00, 15:00 and 16:00 are free."),
        says("Tomorrow afternoon 14:00, 15:00 and 16:00 are free."),
    )
    outcome, usage = run(model, service, message="What's free tomorrow afternoon?")

    assert {t.name for t in model.calls[1].tools} == {"check_availability"}
    assert outcome.booking is None and owners(store) == {}
    assert usage.tool_calls == ["availability_specialist", "check_availability"]


def test_a_follow_up_reaches_the_manager_with_the_earlier_turn(service, store):
    conversation = MemoryConversation()
    run(
        scripted(
            call("availability_specialist", input=f"Check availability on {DAY} afternoon"),
            call("check_availability", date=DAY, time=None),
            says("14:00, 15:00 and 16:00 are free."),
            says("14:00, 15:00 and 16:00 are free tomorrow."),
        ),
        service,
        conversation,
        "What's free tomorrow afternoon?",
    )
    model = scripted(*booking_script())
    outcome, _ = run(model, service, conversation, "Book the 3pm one")

    manager_input = model.first_call.input
    assert manager_input[0]["content"] == "What's free tomorrow afternoon?"
    assert manager_input[-1]["content"] == "Book the 3pm one"
    assert outcome.booking is not None and outcome.booking.time == "15:00"


def test_a_taken_slot_reaches_the_specialist_as_an_actionable_error(service, store):
    service.book(SLOT, "bob")
    model = scripted(
        call("booking_specialist", input=f"Book Court B on {DAY} at 15:00"),
        call("book_slot", slot_id=SLOT),
        says("Court B at 15:00 is taken; Court A and C are free then."),
        says("Court B is taken at 15:00; Court A or C?"),
    )
    outcome, _ = run(model, service)

    (error,) = tool_outputs(model, 2)
    assert error["error"]["code"] == "slot_taken"
    assert outcome.booking is None
    assert owners(store).get(SLOT) == "bob"


def test_the_managers_turn_bound_is_an_honest_error(service):
    # A manager that keeps asking (each specialist run answers once) until max_turns.
    model = scripted(
        call("availability_specialist", input=f"Check availability on {DAY}"),
        says("All free."),
        call("availability_specialist", input=f"Check availability on {DAY} again"),
        says("Still free."),
    )
    with pytest.raises(ChatError) as stopped:
        run(model, service, message="hi", max_turns=2)

    assert (stopped.value.status, stopped.value.code) == (502, "loop_limit")


def test_a_user_id_in_a_specialists_tool_arguments_is_ignored(service, store):
    model = scripted(*booking_script(user_id="mallory"))
    run(model, service)

    assert owners(store).get(SLOT) == "alice"
    assert service.list_bookings("mallory") == []


def test_another_caller_with_the_same_session_id_sees_nothing_of_the_first(service):
    alices = MemoryConversation("alice")
    alices.append([{"role": "user", "content": "private plans"}])
    model = scripted(says("Hello!"))

    outcome, _ = run(model, service, alices.as_caller("mallory"), message="hi", user="mallory")

    assert "private plans" not in str(model.first_call.input)
    assert outcome.reply == "Hello!"
    assert alices.stored == [{"role": "user", "content": "private plans"}]


def test_a_specialist_that_keeps_booking_ends_the_whole_turn_at_the_budget(service, store):
    # Given a manager that hands over, and a booking specialist that never stops booking
    model = scripted(
        call("booking_specialist", input=f"Book every court on {DAY}"),
        *keeps_booking(DAY, *MANY_TIMES),
    )

    # When the turn runs (budget: 2 bookings per turn)
    outcome, usage = run(model, service, MemoryConversation(), message="Book everything")

    # Then two were booked; the refusal ended the specialist's run and the manager's
    booked = [slot_at(DAY, "09:00"), slot_at(DAY, "10:00")]
    assert [b.slot_id for b in outcome.bookings] == booked
    assert sorted(b.slot_id for b in service.list_bookings("alice")) == booked
    assert len(model.calls) == 4  # manager + three specialist rounds, nothing after
    assert usage.tool_calls == ["booking_specialist", "book_slot", "book_slot", "book_slot"]
    assert all(b.booking_id in outcome.reply for b in outcome.bookings)
    assert outcome.reply.endswith("I stopped there: one request may book at most 2 courts.")


def test_two_booking_specialists_in_parallel_share_one_budget(service, store):
    # Given a manager that asks two booking specialists at once, each booking two courts
    model = scripted(
        calls(
            ("booking_specialist", {"input": f"Book {DAY} 09:00 and 10:00"}),
            ("booking_specialist", {"input": f"Book {DAY} 14:00 and 15:00"}),
        ),
        *keeps_booking(DAY, "09:00", "14:00", "10:00", "15:00"),
        says("done"),
        says("done"),
    )

    outcome, _ = run(model, service, message="Book four courts")

    # Then the turn still booked only two
    assert len(outcome.bookings) == 2
    assert len(service.list_bookings("alice")) == 2
    assert "at most 2 courts" in outcome.reply
