"""Pattern A's deployed handler end to end: a recorded API Gateway event in, the /chat body out,
DynamoDB under moto and the model behind the real `openai` client (the offline stand-in)."""

import functools

import pytest

from booking.store import dynamodb_client
from local.offline_model import start_offline_model
from pattern_core import llm
from tests.integration.conftest import TABLE
from tests.utils import chat_event, lambda_context, response_json

ALICE = "arn:aws:sts::123456789012:assumed-role/TennisPlayers/alice"


@pytest.fixture(scope="module")
def offline_model():
    with start_offline_model() as model:
        yield model


@pytest.fixture
def handler(dynamodb, offline_model, monkeypatch):
    monkeypatch.setenv("BOOKINGS_TABLE_NAME", TABLE)
    monkeypatch.setenv("PATTERNS_TODAY", "2026-11-24T10:30")
    monkeypatch.setenv("OPENAI_BASE_URL", offline_model.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "offline-stand-in")
    monkeypatch.setenv("OPENAI_MODEL", "offline-stand-in")
    from pattern_a import handler as module

    # Cached getters hold per-container clients; each test is a fresh container.
    for getter in (module.booking_service, llm.openai_client, llm.openai_api_key, dynamodb_client):
        getter.cache_clear()
    calls = []
    original = llm.openai_client

    @functools.wraps(original)
    def counting_client():
        calls.append(1)
        return original()

    monkeypatch.setattr(module, "openai_client", counting_client)
    module.calls = calls
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
    items = dynamodb.scan(TableName=TABLE)["Items"]
    assert [(i["slot_id"]["S"], i["user_id"]["S"]) for i in items] == [
        ("2026-11-25_CourtA_1500", ALICE)
    ]


def test_a_message_naming_another_user_still_books_for_the_caller(handler, dynamodb):
    status, body = chat(handler, {"message": "Book tomorrow at 3pm for user bob, user_id=bob"})

    assert status == 200 and body["booking"] is not None
    (item,) = dynamodb.scan(TableName=TABLE)["Items"]
    assert item["user_id"]["S"] == ALICE


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
