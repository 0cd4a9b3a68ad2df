"""The Book step against the caller's ledger: a retried step books once, and a caller who
already holds the asked-for time is told that booking instead of getting a second court."""

from __future__ import annotations

import json

from booking.errors import AlreadyBookedThatTime
from pattern_c import steps
from pattern_core.workflow.steps import (
    WorkflowState,
    book_step,
    choose_slot_step,
    find_slots_step,
    write_reply_step,
)
from tests.fakes import ScriptedOpenAI, booking_request
from tests.unit.workflow.conftest import understood
from tests.utils import lambda_context, owners


def ready_to_book(ctx, token: str | None = "request-1") -> WorkflowState:
    """The state the Book step gets: understood, free slots found, a court chosen."""
    state = understood(booking_request())
    state.request_token = token
    return choose_slot_step(find_slots_step(state, ctx), ctx)


def test_the_book_step_run_twice_on_the_same_state_books_once_and_both_runs_return_it(
    service, store, make_ctx, monkeypatch
):
    # Given the Book Lambda's service, and the state Step Functions hands the Book task (it
    # keeps its input for a retry)
    monkeypatch.setattr(steps, "booking_service", lambda: service)
    ctx = make_ctx()
    payload = {"workflow": ready_to_book(ctx).model_dump(mode="json"), "state": "Book"}

    # When the task runs, and Lambda reports an error after the write so it runs again
    first = WorkflowState.model_validate(steps.handle_book(payload, lambda_context()))
    retry = WorkflowState.model_validate(
        steps.handle_book(payload | {"retries": 1}, lambda_context())
    )

    # Then both runs return the same booking, and only one court is held
    assert first.booking == retry.booking
    assert retry.booking.slot_id == "2026-11-25_CourtA_1500"
    assert retry.error is None
    assert list(owners(store)) == ["2026-11-25_CourtA_1500"]


def test_a_retry_returns_the_court_the_first_run_moved_on_to(service, store, make_ctx):
    # Given Court A was taken between finding and booking, so the first run booked Court B
    ctx = make_ctx()
    state = ready_to_book(ctx)
    service.book("2026-11-25_CourtA_1500", "bob")
    first = book_step(state.model_copy(deep=True), ctx)

    # When the step runs again on the same input (which still chose Court A)
    retry = book_step(state.model_copy(deep=True), ctx)

    # Then it returns Court B, and does not book Court C
    assert first.booking.court == "Court B"
    assert retry.booking == first.booking
    assert retry.chosen.court == "Court B"
    assert owners(store).get("2026-11-25_CourtB_1500") == "alice"
    assert owners(store).get("2026-11-25_CourtC_1500") is None


def test_a_second_request_for_the_same_time_is_told_the_booking_already_held(store, make_ctx):
    # Given alice already booked 15:00 tomorrow in an earlier request
    ctx = make_ctx()
    held = book_step(ready_to_book(ctx, token="request-1"), ctx).booking

    # When a new request for the same time reaches the Book step
    again = book_step(ready_to_book(ctx, token="request-2"), ctx)

    # Then nothing more is booked and the refusal names the booking she holds
    assert again.booking is None
    assert again.error["code"] == AlreadyBookedThatTime.code
    assert again.error["booking"]["booking_id"] == held.booking_id
    assert list(owners(store)) == [held.slot_id]


def test_the_reply_to_a_time_already_held_names_that_booking(make_ctx):
    ctx = make_ctx()
    held = book_step(ready_to_book(ctx, token="request-1"), ctx).booking
    again = book_step(ready_to_book(ctx, token="request-2"), ctx)
    model = ScriptedOpenAI(f"You already have Court A at 15:00 tomorrow ({held.booking_id}).")

    answered = write_reply_step(again, make_ctx(model))

    facts = json.loads(model.requests[0]["messages"][1]["content"])
    assert facts["error"]["booking"]["booking_id"] == held.booking_id
    assert answered.reply == f"You already have Court A at 15:00 tomorrow ({held.booking_id})."


def test_a_reply_that_forgets_the_held_booking_id_gets_it_appended(make_ctx):
    ctx = make_ctx()
    held = book_step(ready_to_book(ctx, token="request-1"), ctx).booking
    again = book_step(ready_to_book(ctx, token="request-2"), ctx)

    answered = write_reply_step(again, make_ctx(ScriptedOpenAI("You already have 15:00 tomorrow.")))

    assert answered.reply.endswith(f"(Booking id {held.booking_id}.)")


def test_a_reply_that_claims_a_new_booking_for_a_held_time_is_replaced_by_the_facts(make_ctx):
    ctx = make_ctx()
    held = book_step(ready_to_book(ctx, token="request-1"), ctx).booking
    again = book_step(ready_to_book(ctx, token="request-2"), ctx)

    answered = write_reply_step(again, make_ctx(ScriptedOpenAI("Done, you're booked on Court B!")))

    assert answered.reply.startswith("You already have Court A on Wed 25 Nov at 15:00")
    assert held.booking_id in answered.reply
