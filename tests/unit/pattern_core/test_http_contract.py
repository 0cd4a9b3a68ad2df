"""The /chat contract every pattern serves: validation happens before any orchestration."""

import json

import pytest
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from booking.errors import SlotInPast
from pattern_core.contract.http import build_chat_app
from pattern_core.contract.idempotency import InvalidIdempotencyKey
from pattern_core.contract.identity import InvalidSession, Unauthenticated
from pattern_core.contract.turn import ChatOutcome
from tests.unit.pattern_core.test_reporting import booking
from tests.utils import chat_event, lambda_context, load_event, response_json


class RecordingOrchestration:
    def __init__(self, outcome=None, error=None):
        self.turns, self.outcome, self.error = [], outcome, error

    def __call__(self, turn):
        self.turns.append(turn)
        if self.error:
            raise self.error
        turn.usage.record_tool_call("check_availability")
        return self.outcome or ChatOutcome("ok")


def resolve(orchestration, event, monkeypatch=None):
    app = build_chat_app("Z", orchestration)
    return app.resolve(event, lambda_context())


def test_health_answers_with_the_pattern_id():
    response = resolve(RecordingOrchestration(), load_event("http_api_health_public"))
    assert response["statusCode"] == 200
    assert response_json(response) == {"status": "ok", "pattern": "Z"}


def test_chat_turn_carries_the_verified_caller_not_the_body():
    orchestration = RecordingOrchestration()

    response = resolve(orchestration, chat_event({"message": "Book tomorrow at 3pm"}))

    body = response_json(response)
    assert response["statusCode"] == 200
    (turn,) = orchestration.turns
    assert turn.user_id == "arn:aws:sts::123456789012:assumed-role/TennisPlayers/alice"
    assert turn.message == "Book tomorrow at 3pm"
    assert body["session_id"] == turn.session_id and body["booking"] is None
    assert body["usage"]["tool_calls"] == ["check_availability"]
    assert set(body["usage"]) >= {
        "llm_calls",
        "input_tokens",
        "output_tokens",
        "lambda_invocations",
        "state_transitions",
        "duration_ms",
    }


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("not json", 400, "invalid_json"),
        ('{"message": ', 400, "invalid_json"),
        ("{}", 422, "validation_error"),
        ('{"message": ""}', 422, "validation_error"),
        ('{"message": "   "}', 422, "validation_error"),
        ('{"message": "' + "x" * 2001 + '"}', 422, "validation_error"),
        ('{"message": "hi", "user_id": "mallory"}', 422, "validation_error"),
        ('{"message": 42}', 422, "validation_error"),
        ('{"message": "hi", "session_id": 7}', 422, "validation_error"),
        ('{"message": "hi", "session_id": "../../etc"}', 422, "validation_error"),
        ('["message"]', 422, "validation_error"),
    ],
)
def test_bad_input_gets_a_4xx_error_body_and_no_orchestration(body, status, code):
    orchestration = RecordingOrchestration()

    response = resolve(orchestration, chat_event(body, raw=True))

    assert response["statusCode"] == status
    assert response_json(response)["error"]["code"] == code
    assert orchestration.turns == []


def test_unknown_fields_are_named_in_the_error():
    response = resolve(
        RecordingOrchestration(), chat_event('{"message": "hi", "user_id": "mallory"}', raw=True)
    )
    assert "user_id: unknown field" in response_json(response)["error"]["message"]


def test_a_message_of_exactly_2000_characters_is_accepted():
    response = resolve(RecordingOrchestration(), chat_event({"message": "x" * 2000}))
    assert response["statusCode"] == 200


def test_without_a_verified_caller_iam_mode_refuses(monkeypatch):
    monkeypatch.setenv("AUTH_MODE", "iam")
    event = chat_event({"message": "hi"})
    del event["requestContext"]["authorizer"]
    orchestration = RecordingOrchestration()

    response = resolve(orchestration, event)

    assert response["statusCode"] == 401
    assert orchestration.turns == []


def test_public_mode_issues_an_unguessable_guest_session(monkeypatch):
    monkeypatch.setenv("AUTH_MODE", "public")
    orchestration = RecordingOrchestration()
    event = chat_event({"message": "hi"})
    del event["requestContext"]["authorizer"]

    first = response_json(resolve(orchestration, event))
    again = response_json(
        resolve(orchestration, chat_event({"message": "hi", "session_id": first["session_id"]}))
    )
    guessed = resolve(orchestration, chat_event({"message": "hi", "session_id": "s1"}))

    assert len(first["session_id"]) >= 22
    assert orchestration.turns[0].user_id == f"guest:{first['session_id']}"
    assert orchestration.turns[1].user_id == orchestration.turns[0].user_id
    assert again["session_id"] == first["session_id"]
    assert guessed["statusCode"] == 400


def test_domain_refusals_and_crashes_never_leak_internals():
    refused = resolve(
        RecordingOrchestration(error=SlotInPast("09:00 has already started.")),
        chat_event({"message": "hi"}),
    )
    crashed = resolve(
        RecordingOrchestration(error=RuntimeError("table patterns-bookings-XYZ secret sk-123")),
        chat_event({"message": "hi"}),
    )

    assert refused["statusCode"] == 400
    assert response_json(refused)["error"]["code"] == "slot_in_past"
    assert crashed["statusCode"] == 500
    assert "patterns-bookings" not in crashed["body"] and "sk-123" not in crashed["body"]


def test_unknown_routes_get_the_error_shape():
    event = load_event("http_api_health_public")
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/admin"
    response = resolve(RecordingOrchestration(), event)
    assert response["statusCode"] == 404
    assert response_json(response)["error"]["code"] == "not_found"


def test_a_turns_usage_is_published_as_metrics_per_pattern(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "PatternsUnderTest")

    response = resolve(RecordingOrchestration(), chat_event({"message": "hi"}))

    assert response["statusCode"] == 200
    (blob,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    (directive,) = blob["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "PatternsUnderTest"
    assert "pattern" in directive["Dimensions"][0]
    assert blob["pattern"] == "Z"
    assert (blob["ToolCalls"], blob["Bookings"], blob["LLMCalls"]) == ([1.0], [0.0], [0.0])
    assert blob["Cancellations"] == [0.0]


def test_a_turns_metrics_count_every_court_booked_and_booking_cancelled(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    made = [booking("15:00"), booking("16:00")]
    outcome = ChatOutcome("Booked two, cancelled one.", made, cancellations=[booking("10:00")])

    response = resolve(RecordingOrchestration(outcome), chat_event({"message": "hi"}))

    assert response["statusCode"] == 200
    (blob,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    assert (blob["Bookings"], blob["Cancellations"]) == ([2.0], [1.0])


def test_every_error_answer_is_counted_by_pattern_and_status(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    malformed = chat_event({"message": "hi"}) | {"body": "!!!", "isBase64Encoded": True}
    invalid = chat_event({"message": ""})

    answers = [resolve(RecordingOrchestration(), event) for event in (malformed, invalid)]

    assert [a["statusCode"] for a in answers] == [400, 422]
    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    errors = [(b["pattern"], b["status"], b["code"]) for b in blobs if "Errors" in b]
    assert errors == [("Z", "400", "invalid_encoding"), ("Z", "422", "validation_error")]


@pytest.mark.parametrize(
    ("error", "status", "code", "message"),
    [
        (Unauthenticated("Sign the request."), 401, "unauthenticated", "Sign the request."),
        (InvalidSession("Unknown session."), 400, "invalid_session", "Unknown session."),
        (InvalidIdempotencyKey("Bad key."), 422, "validation_error", "Bad key."),
        (IdempotencyValidationError(), 422, "idempotency_key_reused", "different request"),
        (IdempotencyAlreadyInProgressError(), 409, "request_in_progress", "still running"),
    ],
)
def test_each_refusal_is_answered_in_the_error_shape_with_its_status(error, status, code, message):
    response = resolve(RecordingOrchestration(error=error), chat_event({"message": "hi"}))

    assert response["statusCode"] == status
    body = response_json(response)["error"]
    assert body["code"] == code and message in body["message"]
    retry_after = response["headers"].get("Retry-After")
    assert (retry_after is not None) == (status == 409)
