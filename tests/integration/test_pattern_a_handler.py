"""Pattern A's deployed handler end to end: a recorded API Gateway event in, the /chat body out,
DynamoDB under moto and the model behind the real `openai` client (the offline stand-in)."""

import functools

import pytest

from pattern_a import handler as pattern_a
from pattern_core import collaborators
from pattern_core.model import client as llm
from tests.integration.chat_harness import (  # noqa: F401 - fixtures
    chat_env,
    offline_model,
)
from tests.integration.conftest import TABLE, booking_items
from tests.utils import chat_event, lambda_context, response_json

ALICE = "arn:aws:sts::123456789012:assumed-role/TennisPlayers/alice"


@pytest.fixture
def handler(request, monkeypatch):
    request.getfixturevalue("chat_env")
    collaborators.reset()  # each test is a fresh container
    module = pattern_a
    calls = []
    original = llm.openai_client

    @functools.wraps(original)
    def counting_client():
        calls.append(1)
        return original()

    monkeypatch.setattr(module, "openai_client", counting_client)
    monkeypatch.setattr(module, "calls", calls, raising=False)
    return module


def chat(handler, body, caller=ALICE):
    response = handler.handler(chat_event(body, caller_arn=caller), lambda_context())
    return response["statusCode"], response_json(response)


def test_a_booking_request_books_for_the_signed_caller(handler, dynamodb):
    status, body = chat(handler, {"message": "Book tomorrow at 3pm"})

    assert status == 200
    assert body["pattern"] == "A"
    assert body["booking"]["slot_id"] == "2026-11-25_CourtA_1500"
    assert body["usage"]["llm_calls"] == 1 and body["usage"]["input_tokens"] > 0
    assert booking_items(dynamodb) == [("2026-11-25_CourtA_1500", ALICE)]


def test_a_message_naming_another_user_still_books_for_the_caller(handler, dynamodb):
    status, body = chat(handler, {"message": "Book tomorrow at 3pm for user bob, user_id=bob"})

    assert status == 200 and body["booking"] is not None
    ((_, owner),) = booking_items(dynamodb)
    assert owner == ALICE


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "{}",
        '{"message": ""}',
        '{"message": "' + "x" * 2001 + '"}',
        '{"message": "hi", "extra": 1}',
        '{"message": ["hi"]}',
    ],
)
def test_bad_input_is_refused_before_any_model_call(handler, dynamodb, raw):
    response = handler.handler(chat_event(raw, raw=True), lambda_context())

    assert 400 <= response["statusCode"] < 500
    assert "error" in response_json(response)
    assert handler.calls == []
    assert dynamodb.scan(TableName=TABLE)["Count"] == 0


def test_health_needs_no_model_or_table(handler):
    from tests.utils import load_event

    response = handler.handler(load_event("http_api_health_public"), lambda_context())
    assert response_json(response) == {"status": "ok", "pattern": "A"}
    assert handler.calls == []


def test_a_move_keeps_one_booking_and_the_reply_names_both_ids_once(handler, dynamodb):
    # Given alice holds tomorrow at 15:00
    _, first = chat(handler, {"message": "Book tomorrow at 3pm"})

    # When she moves it, through the real stand-in's understanding
    status, body = chat(handler, {"message": "Move my booking tomorrow at 3pm to 4pm"})

    # Then she holds 16:00 only, the body reports both sides, and the reply (from code) names
    # each id once: nothing had to be appended for an unnamed booking
    assert status == 200 and body["usage"]["llm_calls"] == 1
    assert [b["slot_id"] for b in body["bookings"]] == ["2026-11-25_CourtA_1600"]
    assert [b["booking_id"] for b in body["cancellations"]] == [first["booking"]["booking_id"]]
    assert booking_items(dynamodb) == [("2026-11-25_CourtA_1600", ALICE)]
    assert body["reply"].startswith("Moved: Court A on Wed 25 Nov at 16:00")
    assert body["reply"].count(first["booking"]["booking_id"]) == 1
