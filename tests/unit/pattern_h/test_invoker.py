"""Pattern H's invoker against recorded-shape InvokeAgent / InvokeHarness streams.

moto does not implement either API, so the SDK call itself is answered at the botocore
boundary (`AwsOverrides`), with a real client, real parameter validation and the parsed
event-stream shapes Bedrock returns, including throttling and failures mid-stream.
"""

from __future__ import annotations

import copy
import json

import boto3
import pytest
from botocore.exceptions import EventStreamError, ReadTimeoutError

from booking.service import SlotQuery
from local.aws_overrides import AwsOverrides, ServiceError
from pattern_core.contract.http import build_chat_app
from pattern_h.engines import AgentCoreHarnessEngine, AgentRun, BedrockAgentEngine, ToolCall
from pattern_h.orchestration import agent_session_id, handle_turn
from tests.utils import chat_event, lambda_context, load_event, response_json

ALICE = "arn:aws:iam::123456789012:user/alice"
HARNESS_ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/patterns_h-abcdefghij"
GATEWAY_URL = "https://gw-abcdefghij.gateway.bedrock-agentcore.us-east-1.amazonaws.com/mcp"


@pytest.fixture
def aws():
    session = boto3.Session(region_name="us-east-1")
    with AwsOverrides(session) as overrides:
        overrides.session = session
        yield overrides


def agent_stream(booking_id: str | None = None) -> dict:
    """The recorded InvokeAgent response, as the SDK parses it (chunk bytes are bytes)."""
    recorded = copy.deepcopy(load_event("bedrock_invoke_agent_booking_stream"))
    text = json.dumps(recorded["completion"])
    if booking_id:
        text = text.replace("BOOKING_ID", booking_id)
    events = json.loads(text)
    for event in events:
        if "chunk" in event:
            event["chunk"]["bytes"] = event["chunk"]["bytes"].encode()
    return {**recorded, "completion": iter(events)}


def harness_stream(booking_id: str) -> dict:
    text = json.dumps(load_event("agentcore_invoke_harness_booking_stream"))
    return {"stream": iter(json.loads(text.replace("BOOKING_ID", booking_id))["stream"])}


def chat(aws, service, engine, message="Book tomorrow at 3pm", caller=ALICE, session=None):
    app = build_chat_app("H", lambda turn: handle_turn(turn, engine, service))
    body = {"message": message, **({"session_id": session} if session else {})}
    response = app.resolve(chat_event(body, caller_arn=caller), lambda_context("pattern-h-chat"))
    return response["statusCode"], response_json(response)


def bedrock_engine(aws) -> BedrockAgentEngine:
    return BedrockAgentEngine(
        aws.session.client("bedrock-agent-runtime"), "AGENT12345", "ALIAS6789"
    )


def test_the_booking_in_the_trace_is_returned_once_the_store_confirms_it(aws, service):
    booking = service.book("2026-11-25_CourtA_1500", ALICE)  # what the action Lambda did
    calls = []
    aws.override(
        "bedrock-agent-runtime",
        "InvokeAgent",
        lambda params: calls.append(params) or agent_stream(booking.booking_id),
    )

    status, body = chat(aws, service, bedrock_engine(aws), session="s-1")

    assert status == 200
    assert body["booking"] == booking.public()
    # The agent's words, and — since they do not name the booking — a sentence that does.
    assert body["reply"].startswith("Booked Court A tomorrow at 15:00. Booked Court A on")
    assert booking.booking_id in body["reply"]
    usage = body["usage"]
    assert usage["tool_calls"] == ["check_availability", "book_slot"]
    assert (usage["llm_calls"], usage["input_tokens"], usage["output_tokens"]) == (3, 4114, 169)
    assert usage["lambda_invocations"] == 3  # the invoker + two action-group runs
    (params,) = calls
    assert params["enableTrace"] is True
    attributes = params["sessionState"]["sessionAttributes"]
    assert attributes.pop("turn_id") and attributes == {"user_id": ALICE, "today": "2026-11-24"}
    assert "2026-11-24" in params["sessionState"]["promptSessionAttributes"]["today"]
    assert params["sessionId"] == agent_session_id(ALICE, "s-1")


def test_a_reply_that_claims_a_booking_without_one_in_the_trace_returns_no_booking(aws, service):
    def claims_only(params):
        stream = agent_stream()
        events = [e for e in stream["completion"] if "chunk" in e]  # no trace, only words
        return {**stream, "completion": iter(events)}

    aws.override("bedrock-agent-runtime", "InvokeAgent", claims_only)

    status, body = chat(aws, service, bedrock_engine(aws))

    assert status == 200 and body["booking"] is None
    assert body["reply"] == "Booked Court A tomorrow at 15:00."
    usage = body["usage"]
    assert usage["llm_calls"] is None and usage["input_tokens"] is None  # not observable
    assert usage["tool_calls"] == [] and usage["lambda_invocations"] == 1


def test_a_booking_the_store_does_not_hold_for_the_caller_is_not_reported(aws, service):
    other = service.book("2026-11-25_CourtA_1500", "bob")
    aws.override("bedrock-agent-runtime", "InvokeAgent", lambda p: agent_stream(other.booking_id))

    status, body = chat(aws, service, bedrock_engine(aws))

    assert status == 200 and body["booking"] is None


def test_a_silent_agent_gets_a_reply_from_the_confirmed_booking_only(aws, service):
    booking = service.book("2026-11-25_CourtA_1500", ALICE)

    def no_words(params):
        stream = agent_stream(booking.booking_id)
        return {**stream, "completion": (e for e in stream["completion"] if "chunk" not in e)}

    aws.override("bedrock-agent-runtime", "InvokeAgent", no_words)

    status, body = chat(aws, service, bedrock_engine(aws))

    assert status == 200 and body["booking"] == booking.public()
    assert body["reply"].startswith("Booked Court A on Wed 25 Nov at 15:00")


def test_the_agent_session_is_bound_to_the_caller():
    assert agent_session_id(ALICE, "s-1") != agent_session_id("bob", "s-1")
    assert len(agent_session_id(ALICE, "s-1")) == 64


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (ServiceError("ThrottlingException", "Rate exceeded.", 429), 429, "agent_throttled"),
        (ServiceError("ServiceQuotaExceededException", "Quota.", 400), 429, "agent_throttled"),
        (
            ServiceError("AccessDeniedException", "No model access.", 403),
            502,
            "agent_access_denied",
        ),
        (
            ServiceError("DependencyFailedException", "Lambda failed.", 424),
            502,
            "agent_tool_failed",
        ),
        (ServiceError("ResourceNotFoundException", "No alias.", 404), 502, "agent_error"),
    ],
)
def test_bedrock_errors_become_clear_http_errors(aws, service, error, status, code):
    def fail(params):
        raise error

    aws.override("bedrock-agent-runtime", "InvokeAgent", fail)

    got_status, body = chat(aws, service, bedrock_engine(aws))

    assert (got_status, body["error"]["code"]) == (status, code)
    assert error.message not in body["error"]["message"]  # AWS's text stays in the logs


def test_throttling_inside_the_stream_is_a_429(aws, service):
    def throttled_mid_stream(params):
        def events():
            yield {"chunk": {"bytes": b"Let me check"}}
            raise EventStreamError(
                {"Error": {"Code": "throttlingException", "Message": "Rate exceeded"}},
                "InvokeAgent",
            )

        return {"contentType": "application/json", "sessionId": "s", "completion": events()}

    aws.override("bedrock-agent-runtime", "InvokeAgent", throttled_mid_stream)

    status, body = chat(aws, service, bedrock_engine(aws))

    assert status == 429 and body["error"]["code"] == "agent_throttled"


def test_an_agent_slower_than_the_read_timeout_is_a_504(aws, service):
    def too_slow(params):
        raise ReadTimeoutError(endpoint_url="https://bedrock-agent-runtime.us-east-1.amazonaws.com")

    aws.override("bedrock-agent-runtime", "InvokeAgent", too_slow)

    status, body = chat(aws, service, bedrock_engine(aws))

    assert status == 504 and body["error"]["code"] == "agent_timeout"


def test_the_harness_engine_reports_its_tools_booking_and_token_usage(aws, service):
    booking = service.book("2026-11-25_CourtA_1500", ALICE)
    calls = []
    aws.override(
        "bedrock-agentcore",
        "InvokeHarness",
        lambda params: calls.append(params) or harness_stream(booking.booking_id),
    )
    engine = AgentCoreHarnessEngine(
        aws.session.client("bedrock-agentcore"), HARNESS_ARN, "live", GATEWAY_URL
    )

    status, body = chat(aws, service, engine, session="s-1")

    assert status == 200 and body["booking"] == booking.public()
    # The last message, not the first (plus the sentence naming the booking by id).
    assert body["reply"].startswith("Booked Court A tomorrow at 15:00. Booked Court A on")
    usage = body["usage"]
    assert usage["tool_calls"] == ["check_availability", "book_slot"]
    assert usage["llm_calls"] is None  # the harness reports tokens, not its model calls
    assert (usage["input_tokens"], usage["output_tokens"]) == (3410, 152)
    (params,) = calls
    assert params["qualifier"] == "live"
    assert params["runtimeSessionId"] == agent_session_id(ALICE, "s-1")
    assert "Today is 2026-11-24" in params["systemPrompt"][0]["text"]
    (tool,) = params["tools"]
    remote = tool["config"]["remoteMcp"]
    assert remote["url"] == GATEWAY_URL
    assert remote["headers"]["X-Patterns-User-Id"] == ALICE
    assert len(remote["headers"]["X-Patterns-Turn-Id"]) == 32  # a fresh id for this turn
    assert remote["outboundAuth"] == {"awsIam": {"service": "bedrock-agentcore"}}
    assert ALICE not in json.dumps(params["messages"])  # identity is not in the model's input


def test_harness_throttling_is_a_429(aws, service):
    def fail(params):
        raise ServiceError("ThrottlingException", "Rate exceeded.", 429)

    aws.override("bedrock-agentcore", "InvokeHarness", fail)
    engine = AgentCoreHarnessEngine(
        aws.session.client("bedrock-agentcore"), HARNESS_ARN, "DEFAULT", GATEWAY_URL
    )

    status, body = chat(aws, service, engine)

    assert status == 429 and body["error"]["code"] == "agent_throttled"


class ScriptedEngine:
    """Stands where Bedrock is: returns a prepared run and records each request."""

    label = "scripted"

    def __init__(self, run: AgentRun) -> None:
        self.result, self.requests = run, []

    def run(self, request):
        self.requests.append(request)
        return self.result


def booked(booking) -> ToolCall:
    return ToolCall("book_slot", {"booking": booking.public()})


def refused(name: str = "book_slot") -> ToolCall:
    return ToolCall(name, {"error": {"code": "turn_write_limit", "message": "Refused"}})


def test_every_booking_the_trace_shows_is_reported_in_order(aws, service):
    made = [service.book(f"2026-11-25_CourtA_{t}", ALICE) for t in ("1400", "1500")]
    engine = ScriptedEngine(AgentRun("Booked both.", [booked(made[0]), booked(made[1])]))

    status, body = chat(aws, service, engine)

    assert status == 200
    assert body["bookings"] == [b.public() for b in made]
    assert body["booking"] == made[0].public()
    assert all(b.booking_id in body["reply"] for b in made)


def test_a_budget_refusal_in_the_trace_ends_with_a_reply_naming_each_booking(aws, service):
    # Given a trace of an agent that kept booking: two bookings, then the budget refused
    made = [service.book(f"2026-11-25_CourtA_{t}", ALICE) for t in ("1400", "1500")]
    run = AgentRun(
        "I booked everything you asked; nothing else was done.",
        [booked(made[0]), booked(made[1]), refused(), refused()],
    )

    status, body = chat(aws, service, ScriptedEngine(run))

    # Then both are reported, and the reply comes from the record, not the agent's words
    assert status == 200
    assert [b["booking_id"] for b in body["bookings"]] == [b.booking_id for b in made]
    assert all(b.booking_id in body["reply"] for b in made)
    assert body["reply"].endswith("I stopped there: one request may book at most 2 courts.")


def test_cancellations_the_store_confirms_are_reported(aws, service):
    gone = service.book("2026-11-25_CourtA_1400", ALICE)
    kept = service.book("2026-11-25_CourtA_1500", ALICE)
    service.cancel(gone.booking_id, ALICE)  # what the action Lambda did
    run = AgentRun(
        "Cancelled.",
        [
            ToolCall("cancel_booking", {"cancelled": gone.public()}),
            # A trace claiming a cancel the store contradicts (still held) is not reported.
            ToolCall("cancel_booking", {"cancelled": kept.public()}),
        ],
    )

    status, body = chat(aws, service, ScriptedEngine(run))

    assert status == 200 and body["cancellations"] == [gone.public()]
    assert gone.booking_id in body["reply"] and kept.booking_id not in body["reply"]


def test_a_move_in_the_trace_reports_the_new_booking_and_the_cancelled_one(aws, service):
    old = service.book("2026-11-25_CourtA_1400", ALICE)
    moved = service.move(old.booking_id, SlotQuery(court="Court B"), ALICE)  # the action Lambda
    output = {"booking": moved.booking.public(), "cancelled": old.public()}
    run = AgentRun("Moved to Court B.", [ToolCall("move_booking", output)])

    status, body = chat(aws, service, ScriptedEngine(run))

    assert status == 200
    assert body["bookings"] == [moved.booking.public()]
    assert body["cancellations"] == [old.public()]


def test_each_turn_gets_its_own_turn_id(aws, service):
    engine = ScriptedEngine(AgentRun("Hello."))

    chat(aws, service, engine)
    chat(aws, service, engine)

    first, second = (request.turn_id for request in engine.requests)
    assert first and second and first != second


# -- the invoker's deadline: no automatic retries, and no wait past the turn's time --------
@pytest.fixture
def invoker(monkeypatch, moto_aws):
    """The deployed invoker module, its clients built from the default session (answered by
    `AwsOverrides()` below) as in Lambda. moto (the booking table) starts first: starting it
    replaces the default session the overrides hook into."""
    from local.bedrock_simulation import LOCAL_ENV
    from pattern_h import handler

    for name, value in LOCAL_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("H_ENGINE", "bedrock_agent")
    handler.agent_engine.cache_clear()
    with AwsOverrides() as overrides:
        yield handler, overrides
    handler.agent_engine.cache_clear()


def hand_clock_deadline(seconds: float):
    from pattern_core.deadline import Deadline

    now = [0.0]
    return Deadline(seconds, lambda: now[0]), now


def test_invoke_agent_is_never_retried_automatically(invoker, service):
    handler, overrides = invoker
    calls = []

    def throttled(params):
        calls.append(params)
        raise ServiceError("ThrottlingException", "Rate exceeded", 429)

    overrides.override("bedrock-agent-runtime", "InvokeAgent", throttled)
    deadline, _ = hand_clock_deadline(25.0)

    status, body = chat(overrides, service, handler.turn_engine(deadline))

    # The SDK's standard mode would have retried a throttled call; one InvokeAgent may book.
    assert status == 429 and body["error"]["code"] == "agent_throttled"
    assert len(calls) == 1


def test_the_agent_read_timeout_is_the_turns_time_left_when_that_is_less(invoker):
    handler, _ = invoker
    deadline, _ = hand_clock_deadline(6.2)

    engine = handler.turn_engine(deadline)

    assert engine.client.client.meta.config.read_timeout == 6.0
    assert engine.client.client.meta.config.retries["total_max_attempts"] == 1


def test_a_stream_still_arriving_when_the_time_is_up_ends_as_deadline_exceeded(invoker, service):
    handler, overrides = invoker
    deadline, now = hand_clock_deadline(20.0)
    recorded = agent_stream("BOOKING-NOT-MADE")

    def slow_events():
        for event in recorded["completion"]:
            yield event
            now[0] = 19.9  # the agent keeps talking past the turn's deadline

    overrides.override(
        "bedrock-agent-runtime",
        "InvokeAgent",
        lambda params: {**recorded, "completion": slow_events()},
    )

    status, body = chat(overrides, service, handler.turn_engine(deadline))

    assert status == 504 and body["error"]["code"] == "deadline_exceeded"


def test_a_read_timeout_when_the_time_is_up_is_the_deadline_not_the_agent(invoker, service):
    handler, overrides = invoker
    deadline, now = hand_clock_deadline(10.0)

    def too_slow(params):
        now[0] = 9.9
        raise ReadTimeoutError(endpoint_url="https://bedrock-agent-runtime.us-east-1.amazonaws.com")

    overrides.override("bedrock-agent-runtime", "InvokeAgent", too_slow)

    status, body = chat(overrides, service, handler.turn_engine(deadline))

    assert status == 504 and body["error"]["code"] == "deadline_exceeded"
