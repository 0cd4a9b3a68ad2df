"""Pattern D's handler end to end: HTTP event in, DynamoDB (moto) and the offline model behind."""

from __future__ import annotations

import pytest

from booking.store import DynamoBookingStore
from pattern_core import collaborators
from pattern_d import handler as pattern_d
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
    return pattern_d.handler


def test_book_tomorrow_at_3pm_books_and_reports_measured_usage(handler):
    status, body = chat(handler, {"message": "Book tomorrow at 3pm"})

    assert status == 200, body
    assert body["pattern"] == "D"
    assert body["booking"]["date"] == TOMORROW and body["booking"]["time"] == "15:00"
    assert DynamoBookingStore(TABLE).bookings_of(ALICE)[0].slot_id == body["booking"]["slot_id"]
    usage = body["usage"]
    assert usage["tool_calls"] == ["book_slot"]  # a day and time book in one call
    assert usage["llm_calls"] == 2  # one tool round and the final answer
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0


def test_a_conversation_continues_over_session_id_and_stays_its_owners(handler):
    status, first = chat(
        handler, {"message": "What's free tomorrow afternoon?", "session_id": "s1"}
    )
    assert status == 200 and first["booking"] is None

    status, second = chat(handler, {"message": "Book the 3pm one", "session_id": "s1"})
    assert status == 200, second
    assert (second["booking"]["date"], second["booking"]["time"]) == (TOMORROW, "15:00")

    # Mallory sending alice's session id reaches a fresh conversation of her own: without
    # alice's history "the 4pm one" means nothing, so nothing is booked for anyone
    status, other = chat(handler, {"message": "Book the 4pm one", "session_id": "s1"}, MALLORY)
    assert status == 200, other
    assert other["booking"] is None and TOMORROW not in other["reply"]
    # and alice's conversation is still hers: her follow-up still knows the day
    status, again = chat(handler, {"message": "Book the 4pm one", "session_id": "s1"})
    assert status == 200, again
    assert (again["booking"]["date"], again["booking"]["time"]) == (TOMORROW, "16:00")
