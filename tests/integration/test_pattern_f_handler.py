"""Pattern F's handler end to end: moto DynamoDB, the offline model over HTTP, the real SDK."""

from __future__ import annotations

import pytest

from booking.store import DynamoBookingStore
from pattern_core import collaborators
from pattern_f import handler as pattern_f
from tests.integration.chat_harness import (  # noqa: F401 - fixtures
    ALICE,
    MALLORY,
    TOMORROW,
    chat,
    chat_env,
    offline_model,
)
from tests.integration.conftest import TABLE


@pytest.fixture
def handler(request):
    request.getfixturevalue("chat_env")
    collaborators.reset()
    return pattern_f.handler


def test_book_tomorrow_at_3pm_goes_through_the_booking_specialist(handler):
    status, body = chat(handler, {"message": "Book tomorrow at 3pm"})

    assert status == 200, body
    assert (body["booking"]["date"], body["booking"]["time"]) == (TOMORROW, "15:00")
    assert DynamoBookingStore(TABLE).bookings_of(ALICE)[0].slot_id == body["booking"]["slot_id"]
    usage = body["usage"]
    assert usage["tool_calls"] == ["booking_specialist", "book_slot"]
    # manager, the specialist's two calls, the manager's relay: one process, one meter
    assert usage["llm_calls"] == 4
    assert usage["lambda_invocations"] == 1


def test_follow_up_over_a_session_books_the_3pm_one(handler):
    status, first = chat(
        handler, {"message": "What's free tomorrow afternoon?", "session_id": "s1"}
    )
    assert status == 200 and first["booking"] is None
    status, body = chat(handler, {"message": "Book the 3pm one", "session_id": "s1"})

    assert status == 200, body
    assert (body["booking"]["date"], body["booking"]["time"]) == (TOMORROW, "15:00")
    # Mallory sending alice's session id reaches a fresh conversation of her own: without
    # alice's history "the 4pm one" means nothing, so nothing is booked for anyone
    status, other = chat(handler, {"message": "Book the 4pm one", "session_id": "s1"}, MALLORY)
    assert status == 200, other
    assert other["booking"] is None and TOMORROW not in other["reply"]
    # and alice's conversation is still hers: her follow-up still knows the day
    status, again = chat(handler, {"message": "Book the 4pm one", "session_id": "s1"})
    assert status == 200, again
    assert (again["booking"]["date"], again["booking"]["time"]) == (TOMORROW, "16:00")
