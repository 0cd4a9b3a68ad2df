"""The /chat edge: malformed envelopes are 4xx before any orchestration, Idempotency-Key
replays the first answer (Powertools idempotency on moto DynamoDB), and a missing model key is
a 503 that says how to fix it."""

from __future__ import annotations

import base64
import json

import pytest

from booking.errors import SlotTaken
from local.dynamodb import create_idempotency_table
from pattern_core import collaborators
from pattern_core.contract import idempotency
from pattern_core.contract.http import MAX_BODY_BYTES, build_chat_app
from pattern_core.contract.turn import ChatError, ChatOutcome
from pattern_core.deadline import DeadlineExceeded
from pattern_core.model.client import ModelNotConfigured
from settings import env_key
from tests.utils import chat_event, lambda_context, response_json

ALICE = "arn:aws:iam::123456789012:user/alice"
BOB = "arn:aws:iam::123456789012:user/bob"
IDEMPOTENCY_TABLE = "idempotency-unit"


class Orchestration:
    """Records each turn; answers with the next scripted outcome or error (the last repeats)."""

    def __init__(self, *results):
        self.turns, self.results = [], list(results) or [ChatOutcome("ok")]
        self.during = None  # called inside the turn, e.g. to send a second request meanwhile

    def __call__(self, turn):
        self.turns.append(turn)
        if self.during:
            self.during(turn)
        result = self.results[min(len(self.turns), len(self.results)) - 1]
        if isinstance(result, Exception):
            raise result
        turn.usage.record_tool_call("check_availability")
        return result


def resolve(orchestration, event, app=None):
    app = app or build_chat_app("Z", orchestration)
    return app.resolve(event, lambda_context())


def keyed(body, key="retry-1", caller=ALICE, **extra_headers):
    event = chat_event(body, caller_arn=caller)
    event["headers"] |= {"idempotency-key": key, **extra_headers}
    return event


# --- malformed envelopes --------------------------------------------------------------------


def encoded(data: bytes, **headers) -> dict:
    event = chat_event(base64.b64encode(data).decode(), raw=True)
    event["isBase64Encoded"] = True
    event["headers"] |= headers
    return event


@pytest.mark.parametrize(
    ("event", "status", "code"),
    [
        (chat_event("[" * 10_000, raw=True), 400, "invalid_json"),
        (chat_event('{"m": ' * 2000 + "1" + "}" * 2000, raw=True), 400, "invalid_json"),
        (
            encoded(b'{"message": "hi"}', **{"content-type": "text/plain"}),
            415,
            "unsupported_media_type",
        ),
        (
            encoded(b"message=hi", **{"content-type": "application/x-www-form-urlencoded"}),
            415,
            "unsupported_media_type",
        ),
        (
            chat_event({"message": "hi"}) | {"body": "!!!not base64!!!", "isBase64Encoded": True},
            400,
            "invalid_encoding",
        ),
        (encoded(b'{"message": "caf\xe9"}'), 400, "invalid_encoding"),
        (chat_event({"message": "x" * (MAX_BODY_BYTES + 1)}), 413, "payload_too_large"),
        (encoded(b'{"message": "' + b"x" * MAX_BODY_BYTES + b'"}'), 413, "payload_too_large"),
    ],
    ids=[
        "deep-array",
        "deep-object",
        "text-plain",
        "form",
        "bad-base64",
        "not-utf8",
        "too-large",
        "too-large-base64",
    ],
)
def test_a_malformed_request_is_a_4xx_error_body_before_any_orchestration(event, status, code):
    orchestration = Orchestration()

    response = resolve(orchestration, event)

    assert response["statusCode"] == status
    assert response["headers"]["Content-Type"] == "application/json"
    assert response_json(response)["error"]["code"] == code
    assert response_json(response)["error"]["message"]
    assert orchestration.turns == []


@pytest.mark.parametrize(
    "event",
    [
        chat_event({"message": "hi"}) | {"headers": {}},  # no content type: JSON
        chat_event({"message": "hi"})
        | {"headers": {"content-type": "application/json; charset=utf-8"}},
        chat_event({"message": "hi"}) | {"headers": {"Content-Type": "Application/JSON"}},
        encoded('{"message": "café"}'.encode()),  # how API Gateway passes a binary body
    ],
    ids=["no-content-type", "charset", "capitalised", "base64-json"],
)
def test_json_in_any_of_its_forms_is_accepted(event):
    orchestration = Orchestration()

    response = resolve(orchestration, event)

    assert response["statusCode"] == 200
    assert orchestration.turns[0].message in {"hi", "café"}


def test_health_ignores_the_body_rules():
    event = chat_event("", raw=True)
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/health"
    event["requestContext"]["http"]["method"] = "GET"
    event["headers"]["content-type"] = "text/plain"
    assert resolve(Orchestration(), event)["statusCode"] == 200


# --- a missing model key ---------------------------------------------------------------------


def test_a_missing_key_is_a_503_naming_the_secret_and_the_fix(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY_SECRET_NAME", "patterns/openai-api-key")

    response = resolve(Orchestration(ModelNotConfigured()), chat_event({"message": "hi"}))

    error = response_json(response)["error"]
    assert response["statusCode"] == 503
    assert error["code"] == "model_not_configured"
    assert "patterns/openai-api-key" in error["message"]
    assert (
        'aws secretsmanager create-secret --name patterns/openai-api-key --secret-string "sk-..."'
        in error["message"]
    )


# --- idempotency keys ------------------------------------------------------------------------


@pytest.fixture
def idempotency_table(moto_aws, dynamodb_client, monkeypatch):
    create_idempotency_table(dynamodb_client, IDEMPOTENCY_TABLE)
    monkeypatch.setenv(env_key("idempotency_table_name"), IDEMPOTENCY_TABLE)
    collaborators.reset()
    yield dynamodb_client
    collaborators.reset()


def test_a_retry_with_the_same_key_gets_the_first_answer_without_a_second_turn(
    idempotency_table,
):
    orchestration = Orchestration(ChatOutcome("Booked Court B."), ChatOutcome("Booked again!"))

    first = resolve(orchestration, keyed({"message": "Book tomorrow at 3pm"}))
    retry = resolve(orchestration, keyed({"message": "Book tomorrow at 3pm"}))

    assert len(orchestration.turns) == 1
    assert (retry["statusCode"], retry["body"]) == (first["statusCode"], first["body"])
    assert response_json(retry)["reply"] == "Booked Court B."
    assert retry["headers"]["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first["headers"]
    # The session id issued to the first request is the one the retry is told about.
    assert response_json(retry)["session_id"] == orchestration.turns[0].session_id


def test_the_key_is_the_callers_own_never_shared_with_another_caller(idempotency_table):
    orchestration = Orchestration(ChatOutcome("for alice"), ChatOutcome("for bob"))

    alice = resolve(orchestration, keyed({"message": "hi"}, caller=ALICE))
    bob = resolve(orchestration, keyed({"message": "hi"}, caller=BOB))

    assert [t.user_id for t in orchestration.turns] == [ALICE, BOB]
    assert response_json(alice)["reply"] == "for alice"
    assert response_json(bob)["reply"] == "for bob"


def test_the_same_key_with_another_body_is_refused(idempotency_table):
    orchestration = Orchestration()

    resolve(orchestration, keyed({"message": "Book tomorrow at 3pm"}))
    reused = resolve(orchestration, keyed({"message": "Book tomorrow at 4pm"}))

    assert reused["statusCode"] == 422
    assert response_json(reused)["error"]["code"] == "idempotency_key_reused"
    assert len(orchestration.turns) == 1


def test_a_repeat_while_the_first_is_running_is_told_to_retry_later(idempotency_table):
    first_container, second_container = Orchestration(), Orchestration()
    meanwhile = {}
    second_app = build_chat_app("Z", second_container)

    def send_again(turn):
        # The in-progress record expires with the first invocation, not after 24 hours.
        (item,) = idempotency_table.scan(TableName=IDEMPOTENCY_TABLE)["Items"]
        meanwhile["record"] = item
        meanwhile["response"] = resolve(second_container, keyed({"message": "hi"}), second_app)

    first_container.during = send_again
    first = resolve(first_container, keyed({"message": "hi"}))

    retry_later = meanwhile["response"]
    assert first["statusCode"] == 200
    assert retry_later["statusCode"] == 409
    assert response_json(retry_later)["error"]["code"] == "request_in_progress"
    assert int(retry_later["headers"]["Retry-After"]) > 0
    assert second_container.turns == []
    assert meanwhile["record"]["status"]["S"] == "INPROGRESS"
    assert "in_progress_expiration" in meanwhile["record"]


def test_the_orchestrations_4xx_is_kept_but_a_5xx_can_be_retried(idempotency_table):
    taken = Orchestration(SlotTaken("Court B at 15:00 was just booked.", []), ChatOutcome("ok"))
    failed = Orchestration(
        ChatError(502, "workflow_failed", "The booking workflow did not finish."),
        ChatOutcome("Booked on the second attempt."),
    )
    late = Orchestration(DeadlineExceeded("the deadline passed"), ChatOutcome("in time"))

    refusals = [resolve(taken, keyed({"message": "hi"}, key="k-taken")) for _ in range(2)]
    failures = [resolve(failed, keyed({"message": "hi"}, key="k-failed")) for _ in range(2)]
    timeouts = [resolve(late, keyed({"message": "hi"}, key="k-late")) for _ in range(2)]

    assert [r["statusCode"] for r in refusals] == [409, 409]
    assert len(taken.turns) == 1
    assert [r["statusCode"] for r in failures] == [502, 200]
    assert response_json(failures[1])["reply"] == "Booked on the second attempt."
    assert [r["statusCode"] for r in timeouts] == [504, 200]


def test_a_crash_is_not_stored_either(idempotency_table):
    orchestration = Orchestration(RuntimeError("boom"), ChatOutcome("fine now"))

    crashed = resolve(orchestration, keyed({"message": "hi"}))
    retried = resolve(orchestration, keyed({"message": "hi"}))

    assert (crashed["statusCode"], retried["statusCode"]) == (500, 200)


@pytest.mark.parametrize("key", ["", "x" * 129, "has space", "semi;colon", "ünïcode"])
def test_a_malformed_key_is_a_validation_error_before_any_turn(idempotency_table, key):
    orchestration = Orchestration()

    response = resolve(orchestration, keyed({"message": "hi"}, key=key))

    assert response["statusCode"] == 422
    assert response_json(response)["error"]["code"] == "validation_error"
    assert "Idempotency-Key" in response_json(response)["error"]["message"]
    assert orchestration.turns == []


def test_a_key_of_128_allowed_characters_is_accepted(idempotency_table):
    response = resolve(Orchestration(), keyed({"message": "hi"}, key="aZ09._:-" * 16))
    assert response["statusCode"] == 200


def test_without_a_key_every_request_is_a_new_turn(idempotency_table):
    orchestration = Orchestration()

    for _ in range(2):
        resolve(orchestration, chat_event({"message": "hi"}))

    assert len(orchestration.turns) == 2
    assert idempotency_table.scan(TableName=IDEMPOTENCY_TABLE)["Items"] == []


def test_stored_answers_live_a_day():
    assert idempotency.EXPIRES_AFTER_SECONDS == 24 * 60 * 60
    assert json.dumps(idempotency.KEY_PATTERN.pattern) == json.dumps(r"^[A-Za-z0-9._:-]{1,128}$")
