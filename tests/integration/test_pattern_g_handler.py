"""Pattern G end to end: the manager handler invokes the specialist handlers through
`boto3.client("lambda").invoke`, answered in-process at the SDK boundary as the local runtime
does; DynamoDB under moto, the offline model over HTTP."""

from __future__ import annotations

import importlib
import io
import json

import pytest
from botocore.response import StreamingBody

from booking.store import DynamoBookingStore
from local.aws_overrides import AwsOverrides
from pattern_core import collaborators
from pattern_g import handler as pattern_g
from pattern_g.wiring import FUNCTION_SETTING, SPECIALIST_HANDLERS
from settings import env_key
from tests.integration.chat_harness import (  # noqa: F401 - fixtures
    TOMORROW,
    chat_env,
    offline_model,
)
from tests.integration.conftest import TABLE
from tests.utils import chat_event, lambda_context, response_json

ALICE = "arn:aws:iam::123456789012:user/alice"
MALLORY = "arn:aws:iam::123456789012:user/mallory"
ARNS = {key: f"arn:aws:lambda:us-east-1:123456789012:function:g-{key}" for key in FUNCTION_SETTING}


@pytest.fixture
def invocations(request, monkeypatch):
    """Specialist invokes made, as (function name, payload); each runs the real handler."""
    request.getfixturevalue("chat_env")
    made: list[tuple[str, dict]] = []
    handlers = {}
    for key, path in SPECIALIST_HANDLERS.items():
        module, _, function = path.rpartition(".")
        handlers[ARNS[key]] = getattr(importlib.import_module(f"pattern_g.{module}"), function)
        monkeypatch.setenv(env_key(FUNCTION_SETTING[key]), ARNS[key])

    def invoke(params: dict) -> dict:
        payload = json.loads(params["Payload"])
        made.append((params["FunctionName"], payload))
        name = params["FunctionName"].split(":")[6]
        result = handlers[params["FunctionName"]](payload, lambda_context(name))
        data = json.dumps(result).encode()
        return {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(data), len(data))}

    with AwsOverrides() as aws:
        aws.override("lambda", "Invoke", invoke)
        collaborators.reset()
        yield made


def chat(body: dict, caller: str = ALICE) -> tuple[int, dict]:
    event = chat_event(body, caller_arn=caller)
    response = pattern_g.handler(event, lambda_context("pattern-g-chat"))
    return response["statusCode"], response_json(response)


def test_book_tomorrow_at_3pm_through_the_booking_specialist_lambda(invocations):
    status, body = chat({"message": "Book tomorrow at 3pm"})

    assert status == 200, body
    assert (body["booking"]["date"], body["booking"]["time"]) == (TOMORROW, "15:00")
    assert DynamoBookingStore(TABLE).bookings_of(ALICE)[0].slot_id == body["booking"]["slot_id"]
    # One invoke of the booking specialist, carrying the verified caller and the turn's budget.
    ((function, payload),) = invocations
    assert function == ARNS["booking"]
    assert payload["user_id"] == ALICE
    assert set(payload) == {"request", "user_id", "budget", "seconds_left"}
    assert payload["budget"] == {"bookings": 2, "cancellations": 2}
    assert 0 < payload["seconds_left"] <= 20  # the manager's wait: its cap or its time left
    usage = body["usage"]
    assert usage["lambda_invocations"] == 2  # the manager + one specialist
    assert usage["tool_calls"] == ["booking_specialist", "book_slot"]
    assert usage["llm_calls"] == 4  # manager 2 + specialist 2


def test_follow_up_over_a_session_books_the_3pm_one(invocations):
    status, _ = chat({"message": "What's free tomorrow afternoon?", "session_id": "s1"})
    assert status == 200
    status, body = chat({"message": "Book the 3pm one", "session_id": "s1"})

    assert status == 200, body
    assert (body["booking"]["date"], body["booking"]["time"]) == (TOMORROW, "15:00")
    assert [function for function, _ in invocations] == [ARNS["availability"], ARNS["booking"]]
    # Mallory sending alice's id gets a fresh conversation: "the 4pm one" means nothing there
    status, other = chat({"message": "Book the 4pm one", "session_id": "s1"}, MALLORY)
    assert status == 200 and other["booking"] is None, other
    # and alice's conversation is still hers
    status, again = chat({"message": "Book the 4pm one", "session_id": "s1"})
    assert status == 200, again
    assert (again["booking"]["date"], again["booking"]["time"]) == (TOMORROW, "16:00")


def test_a_specialist_refuses_a_payload_without_a_caller():
    from pattern_g.specialist_handler import booking_handler

    report = booking_handler({"request": "Book 3pm"}, lambda_context("g-booking"))
    assert report["error"]["code"] == "invalid_request"
