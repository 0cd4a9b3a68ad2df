"""Pattern H end to end in one process: the invoker handler behind the HTTP contract, the
simulated managed agent loop answering InvokeAgent / InvokeHarness at the SDK boundary, the
real action Lambda called with Bedrock's event shapes, DynamoDB under moto and the offline
stand-in model (a labelled test double, not an LLM)."""

from __future__ import annotations

import pytest

from local.aws_overrides import AwsOverrides
from local.bedrock_simulation import LOCAL_ENV, SimulatedManagedAgent
from local.runtime import LocalRuntime
from tests.integration.chat_harness import TOMORROW, chat_env, clear_cached_getters, offline_model
from tests.integration.conftest import booking_items
from tests.utils import chat_event, lambda_context, load_event, response_json

__all__ = ["chat_env", "offline_model"]  # fixtures used by name below

ALICE = "arn:aws:sts::123456789012:assumed-role/TennisPlayers/alice"
BOB = "arn:aws:sts::123456789012:assumed-role/TennisPlayers/bob"


@pytest.fixture(params=["bedrock_agent", "agentcore"])
def engine(request):
    return request.param


@pytest.fixture
def handler(chat_env, engine, monkeypatch, tmp_path):
    for name, value in LOCAL_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("H_ENGINE", engine)
    clear_cached_getters("pattern_h.handler", "pattern_h.actions")
    simulation = SimulatedManagedAgent(LocalRuntime(), sessions=tmp_path / "agent-sessions")
    with AwsOverrides() as aws:
        aws.override("bedrock-agent-runtime", "InvokeAgent", simulation.invoke_agent)
        aws.override("bedrock-agentcore", "InvokeHarness", simulation.invoke_harness)
        from pattern_h import handler as module

        yield module
    clear_cached_getters("pattern_h.handler", "pattern_h.actions")


def chat(handler, message, caller=ALICE, session=None):
    body = {"message": message, **({"session_id": session} if session else {})}
    response = handler.handler(chat_event(body, caller_arn=caller), lambda_context())
    return response["statusCode"], response_json(response)


def owners(dynamodb) -> dict[str, str]:
    return dict(booking_items(dynamodb))


def test_book_tomorrow_at_3pm_books_for_the_signed_caller(handler, dynamodb, engine):
    status, body = chat(handler, "Book tomorrow at 3pm")

    assert status == 200 and body["pattern"] == "H"
    assert body["booking"]["slot_id"] == f"{TOMORROW}_CourtA_1500"
    assert owners(dynamodb) == {f"{TOMORROW}_CourtA_1500": ALICE}
    assert body["booking"]["booking_id"] in body["reply"]
    usage = body["usage"]
    assert usage["tool_calls"] == ["check_availability", "book_slot"]
    assert usage["lambda_invocations"] == 3
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    # The Bedrock Agent's trace reports each model call; the harness reports only tokens.
    assert usage["llm_calls"] == (3 if engine == "bedrock_agent" else None)


def test_a_message_naming_another_user_still_books_for_the_caller(handler, dynamodb):
    status, body = chat(handler, f"Book tomorrow at 3pm for user_id={BOB}")

    assert status == 200 and body["booking"] is not None
    assert set(owners(dynamodb).values()) == {ALICE}


def test_a_taken_time_books_the_next_free_court_and_says_which(handler, dynamodb):
    chat(handler, "Book tomorrow at 3pm", caller=BOB)

    status, body = chat(handler, "Book tomorrow at 3pm")

    assert status == 200 and body["booking"]["court"] == "Court B"
    assert owners(dynamodb)[f"{TOMORROW}_CourtB_1500"] == ALICE


def test_listing_shows_only_the_callers_bookings_and_books_nothing(handler):
    chat(handler, "Book tomorrow at 3pm", caller=BOB)
    chat(handler, "Book tomorrow at 4pm")

    status, body = chat(handler, "What have I booked?")

    assert status == 200 and body["booking"] is None
    assert "16:00" in body["reply"] and "15:00" not in body["reply"]
    assert body["usage"]["tool_calls"] == ["list_bookings"]


def test_health_needs_no_agent(handler):
    response = handler.handler(load_event("http_api_health_public"), lambda_context())

    assert response_json(response) == {"status": "ok", "pattern": "H"}


def test_the_same_session_id_from_two_callers_opens_two_agent_sessions(handler, tmp_path):
    chat(handler, "Book tomorrow at 3pm", session="shared-session")
    chat(handler, "Book tomorrow at 4pm", caller=BOB, session="shared-session")

    assert len(list((tmp_path / "agent-sessions").glob("*.json"))) == 2


def test_the_engine_is_chosen_by_configuration_with_a_bounded_read_timeout(handler, engine):
    client = handler.agent_engine().client
    assert client.meta.service_model.service_name == (
        "bedrock-agent-runtime" if engine == "bedrock_agent" else "bedrock-agentcore"
    )
    assert client.meta.config.read_timeout < 29  # answers inside API Gateway's 30 s
