"""Pattern H end to end in one process: the invoker handler behind the HTTP contract, the
simulated managed agent loop answering InvokeAgent / InvokeHarness at the SDK boundary, the
real action Lambda called with Bedrock's event shapes, DynamoDB under moto and the offline
stand-in model (a labelled test double, not an LLM)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from openai.types.chat import ChatCompletion

from local.aws_overrides import AwsOverrides
from local.bedrock_simulation import LOCAL_ENV, SimulatedManagedAgent
from local.runtime import LocalRuntime
from pattern_core import collaborators
from pattern_core.model import client as llm
from tests.integration.chat_harness import TOMORROW, chat_env, offline_model
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
    collaborators.reset()
    simulation = SimulatedManagedAgent(LocalRuntime(), sessions=tmp_path / "agent-sessions")
    with AwsOverrides() as aws:
        aws.override("bedrock-agent-runtime", "InvokeAgent", simulation.invoke_agent)
        aws.override("bedrock-agentcore", "InvokeHarness", simulation.invoke_harness)
        from pattern_h import handler as module

        yield module
    collaborators.reset()


def chat(handler, message, caller=ALICE, session=None):
    body = {"message": message, **({"session_id": session} if session else {})}
    response = handler.handler(chat_event(body, caller_arn=caller), lambda_context())
    return response["statusCode"], response_json(response)


def owners(dynamodb) -> dict[str, str]:
    # Booked slots only (the table also holds ledgers `USER#…` and turn counters `TURN#…`).
    return dict(booking_items(dynamodb))


def test_book_tomorrow_at_3pm_books_for_the_signed_caller(handler, dynamodb, engine):
    status, body = chat(handler, "Book tomorrow at 3pm")

    assert status == 200 and body["pattern"] == "H"
    assert body["booking"]["slot_id"] == f"{TOMORROW}_CourtA_1500"
    assert owners(dynamodb) == {f"{TOMORROW}_CourtA_1500": ALICE}
    assert body["booking"]["booking_id"] in body["reply"]
    usage = body["usage"]
    assert usage["tool_calls"] == ["book_slot"]  # a day and time book in one call
    assert usage["lambda_invocations"] == 2
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    # The Bedrock Agent's trace reports each model call; the harness reports only tokens.
    assert usage["llm_calls"] == (2 if engine == "bedrock_agent" else None)


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


class KeepsBooking:
    """A Chat Completions model (as `openai.OpenAI`) that asks to book on every call, each time
    at a new start time: what a model that never stops looks like to the simulated loop."""

    def __init__(self, day: str) -> None:
        self.slots = [f"{day}_CourtA_{t}" for t in ("0900", "1000", "1100", "1400", "1500")]
        self.calls = 0
        self.chat = SimpleNamespace(completions=SimpleNamespace(create=self._create))

    def _create(self, **request) -> ChatCompletion:
        self.calls += 1
        slot_id = self.slots[(self.calls - 1) % len(self.slots)]
        call = {
            "id": f"call_{self.calls}",
            "type": "function",
            "function": {"name": "book_slot", "arguments": json.dumps({"slot_id": slot_id})},
        }
        return ChatCompletion.model_validate(
            {
                "id": f"scripted-{self.calls}",
                "object": "chat.completion",
                "created": 0,
                "model": "scripted",
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "tool_calls",
                        "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }
        )


def test_an_agent_that_keeps_booking_books_only_the_turns_budget(handler, dynamodb, monkeypatch):
    # Given the managed loop's model asks to book on every call (until its own bound)
    model = KeepsBooking(TOMORROW)
    monkeypatch.setattr(llm, "openai_client", lambda: model)

    # When one request runs
    status, body = chat(handler, "Book every court you can")

    # Then the action Lambda refused past the budget: two courts held, both reported and named
    assert status == 200, body
    booked = [f"{TOMORROW}_CourtA_0900", f"{TOMORROW}_CourtA_1000"]
    assert owners(dynamodb) == dict.fromkeys(booked, ALICE)
    assert [b["slot_id"] for b in body["bookings"]] == booked
    assert body["booking"] == body["bookings"][0]
    assert all(b["booking_id"] in body["reply"] for b in body["bookings"])
    assert body["reply"].endswith("I stopped there: one request may book at most 2 courts.")
    assert model.calls > 3  # the managed loop kept asking; the budget held regardless
