"""The reply never reports less than was done: one check, applied by the HTTP layer."""

from __future__ import annotations

from booking.models import Booking
from pattern_core.contract.http import build_chat_app
from pattern_core.contract.reporting import reported_reply, stopped_reply
from pattern_core.contract.turn import ChatOutcome
from tests.utils import chat_event, lambda_context, response_json


def booking(time: str) -> Booking:
    slot_id = f"2026-11-25_CourtB_{time.replace(':', '')}"
    return Booking(
        booking_id=f"{slot_id}.0a1b2c3d",
        slot_id=slot_id,
        court="Court B",
        date="2026-11-25",
        time=time,
    )


def test_a_reply_that_names_every_booking_is_left_as_it_is():
    made = booking("15:00")

    assert reported_reply(f"Booked ({made.booking_id}).", [made], []) == (
        f"Booked ({made.booking_id})."
    )


def test_each_booking_and_cancellation_the_reply_leaves_out_is_added_in_order():
    first, second, gone = booking("14:00"), booking("15:00"), booking("16:00")

    reply = reported_reply(f"Done: {first.booking_id}.", [first, second], [gone])

    assert reply.startswith(f"Done: {first.booking_id}. Booked Court B on Wed 25 Nov at 15:00")
    assert reply.count(first.booking_id) == 1  # not repeated
    assert reply.index(second.booking_id) < reply.index(gone.booking_id)
    assert f"Cancelled Court B on Wed 25 Nov at 16:00 (booking id {gone.booking_id})." in reply


def test_an_empty_reply_becomes_the_plain_record():
    made = booking("15:00")

    assert reported_reply("", [made], []) == (
        f"Booked Court B on Wed 25 Nov at 15:00 (booking id {made.booking_id})."
    )


def test_the_stopped_reply_names_each_booking_and_the_rule():
    first, second = booking("14:00"), booking("15:00")

    reply = stopped_reply([first, second], [], "one request may book at most 2 courts")

    assert reply == (
        f"Booked Court B on Wed 25 Nov at 14:00 (booking id {first.booking_id}) and "
        f"Court B on Wed 25 Nov at 15:00 (booking id {second.booking_id}). "
        "I stopped there: one request may book at most 2 courts."
    )


def test_every_patterns_chat_reply_is_completed_by_the_http_layer():
    # Given a pattern whose reply mentions only one of the two bookings it made
    first, second = booking("14:00"), booking("15:00")
    app = build_chat_app(
        "X", lambda turn: ChatOutcome(f"Booked {first.booking_id}.", [first, second])
    )

    # When /chat answers
    response = app.resolve(chat_event({"message": "Book two"}), lambda_context())
    body = response_json(response)

    # Then the reply names both, and the body lists both
    assert response["statusCode"] == 200
    assert first.booking_id in body["reply"] and second.booking_id in body["reply"]
    assert [b["booking_id"] for b in body["bookings"]] == [first.booking_id, second.booking_id]
    assert body["booking"]["booking_id"] == first.booking_id
