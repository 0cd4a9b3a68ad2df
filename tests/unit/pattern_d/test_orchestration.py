"""Pattern D's own tool loop, against a scripted Chat Completions client."""

from __future__ import annotations

import json

import pytest

from pattern_core.contract.turn import ChatError, ChatTurn
from pattern_core.usage import UsageMeter
from pattern_d.orchestration import LoopLimits, handle_turn
from tests.conftest import TOMORROW
from tests.fakes import ScriptedOpenAI, call, model_unreachable
from tests.unit.sessions.fakes import MemoryConversation
from tests.utils import owners

DAY = TOMORROW.isoformat()
SLOT = f"{DAY}_CourtB_1500"


def turn(message: str, user_id: str = "alice") -> ChatTurn:
    return ChatTurn(message, user_id, "s1", UsageMeter(), "D")


def run(client, service, conversation, message="Book tomorrow at 3pm", user_id="alice", **kw):
    chat_turn = turn(message, user_id)
    outcome = handle_turn(chat_turn, service, client, "test-model", conversation, **kw)
    return outcome, chat_turn.usage


def test_books_through_the_tools_the_model_chose(service, store):
    client = ScriptedOpenAI(
        [call("check_availability", date=DAY, time="15:00")],
        [call("book_slot", slot_id=SLOT)],
        "Booked Court B tomorrow at 15:00.",
    )
    outcome, usage = run(client, service, MemoryConversation())

    assert outcome.booking is not None and outcome.booking.slot_id == SLOT
    assert owners(store).get(SLOT) == "alice"
    assert usage.llm_calls == 3
    assert usage.tool_calls == ["check_availability", "book_slot"]
    assert (usage.input_tokens, usage.output_tokens) == (300, 60)
    # The model saw today's date and the tool contract's schemas.
    system = client.requests[0]["messages"][0]["content"]
    assert "Today is 2026-11-24" in system
    assert {t["function"]["name"] for t in client.requests[0]["tools"]} == {
        "check_availability",
        "book_slot",
        "move_booking",
        "list_bookings",
        "cancel_booking",
    }


def test_a_follow_up_turn_sees_the_earlier_turn_over_the_session(service, store):
    conversation = MemoryConversation()
    first = ScriptedOpenAI(
        [call("check_availability", date=DAY, time=None)], "14:00, 15:00 and 16:00 are free."
    )
    outcome, _ = run(first, service, conversation, "What's free tomorrow afternoon?")
    assert outcome.booking is None

    second = ScriptedOpenAI([call("book_slot", slot_id=SLOT)], "Booked 15:00.")
    outcome, _ = run(second, service, conversation, "Book the 3pm one")

    sent = second.requests[0]["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "tool", "assistant", "user"]
    assert sent[1]["content"] == "What's free tomorrow afternoon?"
    assert SLOT in sent[3]["content"]  # the earlier tool result, slot ids and all
    assert outcome.booking is not None and outcome.booking.slot_id == SLOT
    assert owners(store).get(SLOT) == "alice"


def test_a_tool_error_reaches_the_model_as_an_actionable_message(service, store):
    service.book(SLOT, "bob")
    client = ScriptedOpenAI(
        [call("book_slot", slot_id=SLOT)],
        [call("book_slot", slot_id=f"{DAY}_CourtC_1500")],
        "15:00 on Court B was taken, so I booked Court C.",
    )
    outcome, usage = run(client, service, MemoryConversation())

    error = json.loads(client.requests[1]["messages"][-1]["content"])["error"]
    assert error["code"] == "slot_taken"
    assert f"{DAY}_CourtC_1500" in json.dumps(error)  # the alternatives the model can act on
    assert outcome.booking is not None and outcome.booking.court == "Court C"
    assert usage.tool_calls == ["book_slot", "book_slot"]


def test_a_model_that_keeps_calling_tools_is_stopped_with_an_honest_error(service):
    looping = ScriptedOpenAI(*[[call("list_bookings")] for _ in range(3)])
    conversation = MemoryConversation()

    with pytest.raises(ChatError) as stopped:
        run(looping, service, conversation, "hi", limits=LoopLimits(max_rounds=3))

    assert (stopped.value.status, stopped.value.code) == (502, "loop_limit")
    assert "no booking was made" in stopped.value.message
    assert conversation.stored == []  # an unfinished turn is not remembered


def test_the_tool_call_bound_stops_the_loop_but_reports_a_booking_already_made(service, store):
    client = ScriptedOpenAI(
        [call("book_slot", slot_id=SLOT), call("list_bookings"), call("list_bookings")]
    )
    outcome, usage = run(client, service, MemoryConversation(), limits=LoopLimits(max_tool_calls=2))

    assert usage.tool_calls == ["book_slot", "list_bookings"]
    assert outcome.booking is not None and outcome.booking.slot_id == SLOT
    assert outcome.reply.startswith("Booked Court B") and "stopped" in outcome.reply
    assert owners(store).get(SLOT) == "alice"


def test_a_user_id_in_the_model_arguments_is_ignored(service, store):
    client = ScriptedOpenAI(
        [call("book_slot", slot_id=SLOT, user_id="mallory")], "Booked for mallory!"
    )
    outcome, _ = run(client, service, MemoryConversation())

    assert owners(store).get(SLOT) == "alice"
    assert service.list_bookings("mallory") == []
    assert outcome.booking is not None


def test_another_caller_with_the_same_session_id_sees_nothing_of_the_first(service):
    # Given alice's conversation under "s1"
    alices = MemoryConversation("alice")
    alices.append([{"role": "user", "content": "private plans"}])

    # When mallory sends the same session id
    client = ScriptedOpenAI("Hello!")
    outcome, _ = run(client, service, alices.as_caller("mallory"), "hi", user_id="mallory")

    # Then the model saw only mallory's message, and alice's history is intact
    sent = client.requests[0]["messages"]
    assert [m["role"] for m in sent] == ["system", "user"]
    assert "private plans" not in json.dumps(sent)
    assert outcome.reply == "Hello!"
    assert alices.stored == [{"role": "user", "content": "private plans"}]


def hour_slot(time: str) -> str:
    return f"{DAY}_CourtB_{time.replace(':', '')}"


def always_books(*times: str) -> ScriptedOpenAI:
    """A model that never stops asking to book: one book_slot per round, a new start time
    each time (never the same court twice at one time)."""
    return ScriptedOpenAI(*[[call("book_slot", slot_id=hour_slot(t))] for t in times])


def test_a_model_that_keeps_booking_is_stopped_at_the_turn_budget(service, store):
    # Given a model that asks for a booking every round
    client = always_books("09:00", "10:00", "11:00", "14:00", "15:00", "16:00")
    conversation = MemoryConversation()

    # When the turn runs (budget: 2 bookings per turn)
    outcome, usage = run(client, service, conversation, "Book everything")

    # Then exactly two were booked, the third was refused and the turn ended there
    booked = [hour_slot("09:00"), hour_slot("10:00")]
    assert [b.slot_id for b in outcome.bookings] == booked
    assert outcome.booking == outcome.bookings[0]
    assert sorted(b.slot_id for b in service.list_bookings("alice")) == booked
    assert usage.tool_calls == ["book_slot", "book_slot", "book_slot"]
    assert len(client.requests) == 3  # not asked again after the refusal
    # And the reply, written from the record, names each booking and the rule
    for booking in outcome.bookings:
        assert booking.booking_id in outcome.reply
    assert outcome.reply.endswith("I stopped there: one request may book at most 2 courts.")
    assert conversation.stored[-1] == {"role": "assistant", "content": outcome.reply}


def test_parallel_book_calls_in_one_round_stop_at_the_budget_too(service, store):
    client = ScriptedOpenAI(
        [call("book_slot", slot_id=hour_slot(t)) for t in ("14:00", "15:00", "16:00", "17:00")]
    )

    outcome, usage = run(client, service, MemoryConversation(), "Book four")

    assert [b.slot_id for b in outcome.bookings] == [hour_slot("14:00"), hour_slot("15:00")]
    assert len(service.list_bookings("alice")) == 2
    assert usage.tool_calls == ["book_slot", "book_slot", "book_slot"]  # the 4th never ran


def test_a_model_that_keeps_cancelling_is_stopped_at_the_cancellation_budget(service, store):
    made = [service.book(hour_slot(t), "alice") for t in ("14:00", "15:00", "16:00")]
    client = ScriptedOpenAI(*[[call("cancel_booking", booking_id=b.booking_id)] for b in made])

    outcome, _ = run(client, service, MemoryConversation(), "Cancel all of them")

    assert [b.booking_id for b in outcome.cancellations] == [b.booking_id for b in made[:2]]
    assert outcome.bookings == []
    assert [b.booking_id for b in service.list_bookings("alice")] == [made[2].booking_id]
    assert all(b.booking_id in outcome.reply for b in made[:2])
    assert "one request may cancel at most 2 bookings" in outcome.reply


def test_bookings_made_before_a_model_error_are_reported(service, store):

    client = ScriptedOpenAI([call("book_slot", slot_id=SLOT)], model_unreachable())

    outcome, _ = run(client, service, MemoryConversation())

    assert [b.slot_id for b in outcome.bookings] == [SLOT]
    assert owners(store).get(SLOT) == "alice"
    assert outcome.booking.booking_id in outcome.reply and "could not be reached" in outcome.reply
