"""The workflow's steps, one responsibility each, over a shared state (patterns B and C)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from booking.errors import SlotTaken
from booking.models import Slot
from pattern_core.contract.turn import ChatError
from pattern_core.usage import UsageFigures, UsageMeter
from pattern_core.workflow.steps import (
    StepRecord,
    WorkflowState,
    book_step,
    choose_slot_step,
    end_with_failure,
    failure_of,
    find_slots_step,
    outcome_of,
    record_execution,
    reply_facts,
    understand_step,
    write_reply_step,
)
from tests.fakes import ScriptedOpenAI, booking_request, model_unreachable
from tests.unit.workflow.conftest import understood
from tests.utils import owners


def test_understand_is_one_structured_output_call_that_knows_today(make_ctx):
    model = ScriptedOpenAI(booking_request())
    ctx = make_ctx(model)

    state = understand_step(WorkflowState(message="Book tomorrow at 3pm", user_id="alice"), ctx)

    assert state.request.date == "2026-11-25" and state.request.time == "15:00"
    assert ctx.usage.llm_calls == 1 and ctx.usage.input_tokens == 100
    assert "Today is 2026-11-24 (Tuesday)" in model.requests[0]["messages"][0]["content"]


def test_find_slots_marks_a_free_requested_time_as_bookable(make_ctx):
    state = find_slots_step(understood(booking_request()), make_ctx())

    assert state.bookable is True
    assert [s.slot_id for s in state.free_slots] == [
        "2026-11-25_CourtA_1500",
        "2026-11-25_CourtB_1500",
        "2026-11-25_CourtC_1500",
    ]
    assert state.alternatives == [] and state.error is None


def test_find_slots_offers_the_nearest_free_times_when_the_time_is_full(service, make_ctx):
    for court in ("A", "B", "C"):
        service.book(f"2026-11-25_Court{court}_1500", f"player-{court}")

    state = find_slots_step(understood(booking_request()), make_ctx())

    assert state.bookable is False
    assert sorted({s.time for s in state.alternatives}) == ["14:00", "16:00", "17:00"]
    assert "15:00" not in {s.time for s in state.free_slots}  # the day's free slots instead
    assert len(state.free_slots) == 18


def test_a_position_past_the_free_courts_is_the_booking_rules_refusal_with_those_courts(
    make_ctx,
):
    request = booking_request(time="16:00", slot_preference=4)

    state = find_slots_step(understood(request, "Book the fourth slot tomorrow at 4pm"), make_ctx())

    assert state.bookable is False and state.error["code"] == "no_free_slot"
    assert "so there is no number 4" in state.error["message"]
    assert [s.court for s in state.alternatives] == ["Court A", "Court B", "Court C"]


def test_a_booking_request_without_a_time_is_not_bookable_but_lists_options(make_ctx):
    state = find_slots_step(understood(booking_request(time=None)), make_ctx())

    assert state.bookable is False
    assert len(state.free_slots) == 21  # the whole day, to offer


def test_a_part_of_the_day_is_bookable_and_lists_its_free_slots(make_ctx):
    request = booking_request(time=None, part_of_day="afternoon")
    state = find_slots_step(understood(request), make_ctx())

    assert state.bookable is True
    assert {s.time for s in state.free_slots} == {"14:00", "15:00", "16:00"}


def test_refusals_by_the_booking_rules_become_facts_not_failures(make_ctx):
    past = find_slots_step(understood(booking_request(date="2026-11-24", time="09:00")), make_ctx())
    no_day = find_slots_step(understood(booking_request(date=None)), make_ctx())

    assert past.error["code"] == "slot_in_past" and past.bookable is False
    assert no_day.error["code"] == "invalid_request" and "Which day?" in no_day.error["message"]


@pytest.mark.parametrize(
    ("intent", "named"),
    [("cancel", "cancelling"), ("list_bookings", "listing"), ("move", "moving")],
)
def test_requests_the_workflow_has_no_steps_for_are_answered_not_guessed(make_ctx, intent, named):
    state = find_slots_step(understood(booking_request(intent=intent)), make_ctx())

    assert state.error["code"] == "not_supported" and state.bookable is False
    assert named in state.error["message"] and state.free_slots == []


def test_choose_slot_honours_a_free_preferred_court(make_ctx):
    ctx = make_ctx()
    state = find_slots_step(understood(booking_request(court="Court C")), ctx)

    assert choose_slot_step(state, ctx).chosen.court == "Court C"


def test_book_books_the_chosen_slot_for_the_caller_in_the_state(store, make_ctx):
    ctx = make_ctx()
    state = choose_slot_step(find_slots_step(understood(booking_request(), user="alice"), ctx), ctx)

    state = book_step(state, ctx)

    assert state.booking.slot_id == "2026-11-25_CourtA_1500"
    assert owners(store).get("2026-11-25_CourtA_1500") == "alice"


def test_book_moves_to_the_next_free_court_when_it_loses_the_race(service, store, make_ctx):
    ctx = make_ctx()
    state = choose_slot_step(find_slots_step(understood(booking_request()), ctx), ctx)
    service.book("2026-11-25_CourtA_1500", "bob")  # between finding and booking

    state = book_step(state, ctx)

    assert state.booking.court == "Court B"
    assert owners(store).get("2026-11-25_CourtA_1500") == "bob"
    assert owners(store).get("2026-11-25_CourtB_1500") == "alice"


def test_book_reports_a_full_time_with_alternatives_when_every_race_is_lost(
    service, store, make_ctx
):
    ctx = make_ctx()
    state = choose_slot_step(find_slots_step(understood(booking_request()), ctx), ctx)
    for court in ("A", "B", "C"):
        service.book(f"2026-11-25_Court{court}_1500", f"player-{court}")

    state = book_step(state, ctx)

    assert state.booking is None and state.chosen is None
    assert state.error["code"] == SlotTaken.code
    assert {s.time for s in state.alternatives} == {"14:00", "16:00", "17:00"}
    assert set(owners(store).values()) == {"player-A", "player-B", "player-C"}


def test_the_reply_is_written_from_the_facts_without_the_callers_identity(make_ctx):
    ctx = make_ctx()
    state = _booked(ctx)
    booking_id = state.booking.booking_id
    model = ScriptedOpenAI(f"Court A is yours tomorrow at 15:00, booking id {booking_id}.")

    state = write_reply_step(state, make_ctx(model))

    facts = json.loads(model.requests[0]["messages"][1]["content"])
    assert facts["booking"]["booking_id"] == booking_id
    assert "alice" not in model.requests[0]["messages"][1]["content"]
    assert state.reply == f"Court A is yours tomorrow at 15:00, booking id {booking_id}."


def test_a_reply_that_claims_a_booking_the_facts_lack_is_replaced_by_the_facts(service, make_ctx):
    for court in ("A", "B", "C"):
        service.book(f"2026-11-25_Court{court}_1500", f"player-{court}")
    state = find_slots_step(understood(booking_request()), make_ctx())

    model = ScriptedOpenAI("Great news, you're booked for 15:00!")
    lying = write_reply_step(state, make_ctx(model))

    assert "booked for" not in lying.reply
    assert lying.reply.startswith("Nothing was booked: that time on Wed 25 Nov is full.")
    assert "14:00 (Court A, Court B, Court C)" in lying.reply


def test_a_reply_that_omits_the_booking_id_gets_it_appended(make_ctx):
    ctx = make_ctx()
    state = _booked(ctx)

    state = write_reply_step(state, make_ctx(ScriptedOpenAI("All set for tomorrow at 3pm!")))

    assert state.reply.endswith(f"(Booking id {state.booking.booking_id}.)")


def test_a_booking_on_another_court_than_the_one_asked_for_says_so(service, make_ctx):
    # Given Court B is taken at 15:00 and alice asks for Court B at 15:00
    service.book("2026-11-25_CourtB_1500", "bob")
    ctx = make_ctx()
    request = booking_request(court="Court B")
    state = book_step(choose_slot_step(find_slots_step(understood(request), ctx), ctx), ctx)

    # When the model's reply names only the court booked (and when there is no usable reply)
    written = write_reply_step(state, make_ctx(ScriptedOpenAI("Booked Court A at 15:00!")))
    fallback = write_reply_step(state, make_ctx(ScriptedOpenAI("")))

    # Then the first free court is booked, and the reply says the one asked for was taken
    assert state.booking.court == "Court A"
    assert written.reply.endswith("Court B was taken at 15:00.")
    assert fallback.reply.endswith("Court B was taken at 15:00.")


def test_nothing_free_facts_carry_the_days_free_slots_and_the_nearest_times(service, make_ctx):
    for court in ("A", "B", "C"):
        service.book(f"2026-11-25_Court{court}_1500", f"player-{court}")
    state = find_slots_step(understood(booking_request()), make_ctx())

    facts = reply_facts(state)

    assert set(facts) == {"message", "request", "free_slots", "alternatives", "date"}
    assert "booking" not in facts


@pytest.mark.parametrize(
    ("error_type", "status", "code"),
    [
        ("RateLimitError", 429, "model_rate_limited"),
        ("APITimeoutError", 504, "model_timeout"),
        ("APIConnectionError", 502, "model_error"),
        ("InternalServerError", 502, "model_error"),
        ("ModelNotConfigured", 503, "model_not_configured"),
        ("States.Timeout", 504, "step_timeout"),
        ("ClientError", 500, "internal_error"),
    ],
)
def test_a_failed_steps_error_type_maps_to_the_http_contract(error_type, status, code):
    failure = failure_of(error_type)
    assert (failure.status, failure.code) == (status, code)


def test_a_failure_before_booking_is_an_error_that_says_nothing_was_booked():
    state = end_with_failure(WorkflowState(message="m", user_id="alice"), "APIConnectionError")

    with pytest.raises(ChatError) as raised:
        outcome_of(state)

    assert raised.value.status == 502 and raised.value.code == "model_error"
    assert raised.value.message.endswith("Nothing was booked.")


def test_a_failure_after_booking_still_reports_the_booking(make_ctx):
    ctx = make_ctx()
    state = _booked(ctx)

    outcome = outcome_of(end_with_failure(state, model_unreachable().__class__.__name__))

    assert outcome.booking == state.booking
    assert outcome.reply.startswith("Booked Court A on Wed 25 Nov at 15:00")


def test_a_failure_while_booking_does_not_claim_either_way():
    chosen = Slot.of(dt.date(2026, 11, 25), "Court A", dt.time(15))
    state = WorkflowState(message="m", user_id="alice", chosen=chosen)

    state = end_with_failure(state, "ClientError")

    assert "could not be confirmed" in state.reply and "Nothing was booked" not in state.reply


def test_an_executions_own_trail_gives_its_lambda_invocations_and_transitions():
    state = WorkflowState(
        message="m", user_id="alice", usage=UsageFigures(llm_calls=2, input_tokens=9)
    )
    state.trail = [
        StepRecord(step="understand", ms=5),
        StepRecord(step="find_slots", ms=3),
        StepRecord(step="WriteReply", failed=True),
        StepRecord(step="failure_reply", ms=1),
    ]
    usage = UsageMeter()

    record_execution(state, usage)

    assert usage.lambda_invocations == 1 + 4  # the API function and four step runs
    assert usage.state_transitions == 4 + 1  # four task states and the Choice after FindSlots
    assert usage.llm_calls == 2 and usage.input_tokens == 9
    assert usage.steps == {"understand": 5, "find_slots": 3, "failure_reply": 1}


def _booked(ctx) -> WorkflowState:
    """Tomorrow 15:00 understood, found, chosen and booked for alice."""
    return book_step(
        choose_slot_step(find_slots_step(understood(booking_request()), ctx), ctx), ctx
    )
