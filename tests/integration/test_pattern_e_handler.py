"""Pattern E's handler end to end: moto DynamoDB, the offline model over HTTP, the real SDK."""

from __future__ import annotations

import asyncio

import pytest

from booking.store import DynamoBookingStore
from pattern_core import collaborators
from pattern_core.agent_runtime import runtime as agent_runtime
from pattern_e import handler as pattern_e
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
    return pattern_e.handler


def test_book_tomorrow_at_3pm_books_with_the_sdks_usage(handler):
    status, body = chat(handler, {"message": "Book tomorrow at 3pm"})

    assert status == 200, body
    assert (body["booking"]["date"], body["booking"]["time"]) == (TOMORROW, "15:00")
    assert DynamoBookingStore(TABLE).bookings_of(ALICE)[0].slot_id == body["booking"]["slot_id"]
    assert body["usage"]["tool_calls"] == ["book_slot"]  # a day and time book in one call
    assert body["usage"]["llm_calls"] == 2
    assert body["usage"]["input_tokens"] > 0


def test_warm_invocations_reuse_the_loop_and_the_model_client(handler):
    # Two invocations in one process, as a warm Lambda container serves them: the second must
    # not find its HTTP client bound to a closed event loop.
    first_status, first = chat(handler, {"message": "What's free tomorrow afternoon?"})
    loop, client = agent_runtime.run_sync(_loop_and_model_client())
    second_status, second = chat(handler, {"message": "Book tomorrow at 4pm"})

    assert (first_status, second_status) == (200, 200), (first, second)
    assert second["booking"]["time"] == "16:00"
    assert agent_runtime.run_sync(_loop_and_model_client()) == (loop, client)
    assert not loop.is_closed()  # one loop and one client, built once for the container


async def _loop_and_model_client():
    return asyncio.get_running_loop(), collaborators.async_openai_client()


def test_follow_up_over_a_session_books_the_3pm_one_and_the_session_is_its_owners(handler):
    status, _ = chat(handler, {"message": "What's free tomorrow afternoon?", "session_id": "s1"})
    assert status == 200
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
