"""Pattern B's deployed handler end to end: a recorded API Gateway event in, the /chat body out,
DynamoDB under moto and both model steps through the real `openai` client (offline stand-in)."""

import pytest

from pattern_b import handler as pattern_b
from pattern_core import collaborators
from tests.integration.chat_harness import (  # noqa: F401 - fixtures
    chat_env,
    offline_model,
)
from tests.integration.conftest import booking_items
from tests.utils import chat_event, lambda_context, response_json

ALICE = "arn:aws:sts::123456789012:assumed-role/TennisPlayers/alice"
BOB = "arn:aws:sts::123456789012:assumed-role/TennisPlayers/bob"


@pytest.fixture
def handler(request, monkeypatch):
    request.getfixturevalue("chat_env")
    monkeypatch.setenv("OPENAI_MAX_RETRIES", "0")
    collaborators.reset()  # each test is a fresh container
    return pattern_b


def chat(handler, message, caller=ALICE):
    response = handler.handler(
        chat_event({"message": message}, caller_arn=caller), lambda_context()
    )
    return response["statusCode"], response_json(response)


def booked(dynamodb) -> list[tuple[str, str]]:
    return booking_items(dynamodb)


def test_a_booking_request_books_for_the_signed_caller_with_two_model_calls(handler, dynamodb):
    status, body = chat(handler, "Book tomorrow at 3pm")

    assert status == 200 and body["pattern"] == "B"
    assert body["booking"]["slot_id"] == "2026-11-25_CourtA_1500"
    assert body["booking"]["booking_id"] in body["reply"]
    assert booked(dynamodb) == [("2026-11-25_CourtA_1500", ALICE)]
    usage = body["usage"]
    assert usage["llm_calls"] == 2 and usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    assert (usage["lambda_invocations"], usage["state_transitions"]) == (1, 0)
    assert list(usage["steps_ms"]) == [
        "understand",
        "find_slots",
        "choose_slot",
        "book",
        "write_reply",
    ]


def test_when_the_time_is_full_nothing_is_booked_and_the_nearest_times_are_offered(
    handler, dynamodb
):
    for caller in ("c1", "c2", "c3"):
        chat(handler, "Book tomorrow at 3pm", caller=f"{BOB}-{caller}")

    status, body = chat(handler, "Book tomorrow at 3pm")

    assert status == 200 and body["booking"] is None
    assert "15:00 on Wed 25 Nov is fully booked" in body["reply"]
    assert "14:00" in body["reply"] and "16:00" in body["reply"]
    assert 'Say "Book Court A on Wed 25 Nov at 14:00"' in body["reply"]  # no "yes" to give
    assert ALICE not in {owner for _, owner in booked(dynamodb)}
    assert list(body["usage"]["steps_ms"]) == ["understand", "find_slots", "write_reply"]


def test_an_unreachable_model_is_a_502_and_nothing_is_booked(handler, dynamodb, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    collaborators.reset()

    status, body = chat(handler, "Book tomorrow at 3pm")

    assert status == 502
    assert body["error"]["code"] == "model_error"
    assert body["error"]["message"].endswith("Nothing was booked.")
    assert booked(dynamodb) == []


def test_a_move_is_not_one_of_the_workflows_steps_nothing_is_booked_and_it_says_so(
    handler, dynamodb
):
    # Given alice holds tomorrow at 15:00
    chat(handler, "Book tomorrow at 3pm")

    # When she asks to move it
    status, body = chat(handler, "Move my booking tomorrow at 3pm to 4pm")

    # Then B books nothing (never a second court beside the first), cancels nothing, and says
    # that moving is not one of its steps
    assert status == 200 and body["booking"] is None and body["cancellations"] == []
    assert "moving bookings is not one of its steps" in body["reply"]
    assert booked(dynamodb) == [("2026-11-25_CourtA_1500", ALICE)]
    assert list(body["usage"]["steps_ms"]) == ["understand", "find_slots", "write_reply"]
