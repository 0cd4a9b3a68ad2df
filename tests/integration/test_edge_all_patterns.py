"""The HTTP edge on all eight patterns' real handlers (moto, the offline stand-in model, real
HTTP API v2 events): a malformed request is a 4xx before any model call, a model answering
garbage is a 502, a missing key secret is a 503 that names it, and an Idempotency-Key retry
gets the first answer with nothing done twice.

For the garbage case a tiny fake model endpoint (http.server on 127.0.0.1) answers every
request with 200 and a body the OpenAI client cannot use. Pattern H uses Bedrock, not OpenAI,
so the model cases run on A-G.
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from local.aws_overrides import AwsOverrides
from local.bedrock_simulation import LOCAL_ENV, SimulatedManagedAgent
from local.runtime import LocalRuntime
from pattern_core import collaborators
from pattern_core.contract.http import MAX_BODY_BYTES
from tests.integration.chat_harness import (  # noqa: F401 - fixtures
    chat_env,
    offline_model,
)
from tests.integration.conftest import booking_items
from tests.integration.test_pattern_c_workflow import pattern_c  # noqa: F401
from tests.integration.test_pattern_g_handler import invocations  # noqa: F401
from tests.utils import chat_event, lambda_context, response_json

ALICE = "arn:aws:iam::123456789012:user/alice"
PATTERNS = list("ABCDEFGH")
OPENAI_PATTERNS = list("ABCDEFG")
SECRET_NAME = "patterns/openai-api-key"


class FakeModel:
    """An OpenAI-compatible base URL that answers every request with 200 and `body`."""

    def __init__(self) -> None:
        self.body, self.requests = b"not json", 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                fake.requests += 1
                self.send_response(200)
                content_type = "text/plain" if fake.body == b"not json" else "application/json"
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(fake.body)))
                self.end_headers()
                self.wfile.write(fake.body)

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeModel:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def fake_model():
    with FakeModel() as model:
        yield model


def use_model(monkeypatch, base_url: str) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("OPENAI_MAX_RETRIES", "0")
    collaborators.reset()


@pytest.fixture(params=PATTERNS)
def handler(request, monkeypatch, tmp_path):
    """The pattern's /chat handler with what its stack provides, in-process."""
    key = request.param
    request.getfixturevalue("chat_env")
    if key == "C":
        yield request.getfixturevalue("pattern_c").api.handler
    elif key == "G":
        request.getfixturevalue("invocations")
        from pattern_g import handler as module

        yield module.handler
    elif key == "H":
        for name, value in LOCAL_ENV.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("H_ENGINE", "bedrock_agent")
        collaborators.reset()
        simulation = SimulatedManagedAgent(LocalRuntime(), sessions=tmp_path / "agent-sessions")
        with AwsOverrides() as aws:
            aws.override("bedrock-agent-runtime", "InvokeAgent", simulation.invoke_agent)
            from pattern_h import handler as module

            yield module.handler
        collaborators.reset()
    else:
        module = f"pattern_{key.lower()}.handler"
        collaborators.reset()
        yield __import__(module, fromlist=["handler"]).handler


def call(handler, event) -> tuple[int, dict, dict]:
    response = handler(event, lambda_context("pattern-chat"))
    return response["statusCode"], response_json(response), response.get("headers") or {}


def booked(dynamodb) -> list[tuple[str, str]]:
    return booking_items(dynamodb)


def base64_event(data: bytes, content_type: str = "application/json") -> dict:
    event = chat_event(base64.b64encode(data).decode(), caller_arn=ALICE, raw=True)
    event["isBase64Encoded"] = True
    event["headers"]["content-type"] = content_type
    return event


MALFORMED = {
    "not-json": (chat_event("Book tomorrow at 3pm", raw=True), 400, "invalid_json"),
    "too-deep": (chat_event('{"message": ' + "[" * 5000, raw=True), 400, "invalid_json"),
    "text-plain": (
        base64_event(b'{"message": "Book tomorrow at 3pm"}', "text/plain"),
        415,
        "unsupported_media_type",
    ),
    "bad-base64": (
        chat_event({"message": "x"}) | {"body": "%%%", "isBase64Encoded": True},
        400,
        "invalid_encoding",
    ),
    "not-utf8": (base64_event(b'{"message": "Book \xff\xfe at 3pm"}'), 400, "invalid_encoding"),
    "too-large": (
        chat_event({"message": "Book tomorrow at 3pm", "pad": "x" * MAX_BODY_BYTES}),
        413,
        "payload_too_large",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_request_is_a_4xx_before_any_model_call(
    handler, case, dynamodb, fake_model, monkeypatch
):
    event, status, code = MALFORMED[case]
    use_model(monkeypatch, fake_model.base_url)  # any model call would be counted here
    before = fake_model.requests

    got_status, body, _ = call(handler, event)

    assert (got_status, body["error"]["code"]) == (status, code)
    assert body["error"]["message"]
    assert fake_model.requests == before
    assert booked(dynamodb) == []


@pytest.mark.parametrize("handler", OPENAI_PATTERNS, indirect=True)
@pytest.mark.parametrize("garbage", [b"not json", b'{"unexpected": true}'], ids=["text", "shape"])
def test_a_model_answering_garbage_is_a_502_model_error(
    handler, garbage, dynamodb, fake_model, monkeypatch
):
    use_model(monkeypatch, fake_model.base_url)
    fake_model.body = garbage
    try:
        status, body, _ = call(
            handler, chat_event({"message": "Book tomorrow at 3pm"}, caller_arn=ALICE)
        )
    finally:
        fake_model.body = b"not json"

    assert (status, body["error"]["code"]) == (502, "model_error"), body
    assert booked(dynamodb) == []


@pytest.mark.parametrize("handler", OPENAI_PATTERNS, indirect=True)
def test_a_missing_key_secret_is_a_503_naming_it_and_the_fix(handler, dynamodb, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.setenv(
        "OPENAI_API_KEY_SECRET_ARN",
        f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{SECRET_NAME}",
    )
    collaborators.reset()

    status, body, _ = call(
        handler, chat_event({"message": "Book tomorrow at 3pm"}, caller_arn=ALICE)
    )

    assert (status, body["error"]["code"]) == (503, "model_not_configured"), body
    assert f"aws secretsmanager create-secret --name {SECRET_NAME}" in body["error"]["message"]
    assert booked(dynamodb) == []


def test_an_idempotent_retry_returns_the_first_answer_and_books_once(handler, dynamodb):
    event = chat_event({"message": "Book tomorrow at 3pm"}, caller_arn=ALICE)
    event["headers"]["idempotency-key"] = "client-retry-0001"

    first = handler(event, lambda_context("pattern-chat"))
    retry = handler(json.loads(json.dumps(event)), lambda_context("pattern-chat"))

    assert first["statusCode"] == 200, first["body"]
    # Byte for byte: the same session id, reply and measured duration, so nothing re-ran.
    assert (retry["statusCode"], retry["body"]) == (first["statusCode"], first["body"])
    assert retry["headers"]["Idempotent-Replayed"] == "true"
    assert len(booked(dynamodb)) == 1


def test_the_same_key_with_another_message_is_refused_on_a_real_handler(handler, dynamodb):
    first = chat_event({"message": "What is free tomorrow?"}, caller_arn=ALICE)
    first["headers"]["idempotency-key"] = "k-1"
    other = chat_event({"message": "Book tomorrow at 3pm"}, caller_arn=ALICE)
    other["headers"]["idempotency-key"] = "k-1"

    call(handler, first)
    status, body, _ = call(handler, other)

    assert (status, body["error"]["code"]) == (422, "idempotency_key_reused")
    assert booked(dynamodb) == []
