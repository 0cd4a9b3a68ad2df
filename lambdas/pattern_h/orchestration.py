"""Pattern H — managed agent.

AWS runs the agent loop. This project supplies the agent's instruction, its tools (the action
Lambda and the OpenAPI schema generated from it) and this thin invoker: it hands the message to
the managed agent with the verified caller attached where the model cannot touch it, collects
the streamed answer, and reports what the trace shows. Which operation runs, and when, is
decided inside Amazon Bedrock (an Agent, or an AgentCore harness) — not in this code.

Its neighbour, pattern G, runs a multi-agent loop in our own Lambdas with the Agents SDK: there
every model call and token is ours to count; here the loop is a managed service, so usage is
what its trace reports and `null` for what it does not.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from botocore.exceptions import ClientError, ConnectTimeoutError, ReadTimeoutError

from booking.models import Booking
from booking.service import BookingService
from pattern_core.fulfilment import describe_booking
from pattern_core.http import ChatError, ChatOutcome, ChatTurn
from pattern_h.engines import AgentRequest, AgentRun

NO_REPLY = "The agent finished without a reply."

# Bedrock's error codes (InvokeAgent and InvokeHarness, at call time or inside the stream),
# as the HTTP status and message the caller gets.
_THROTTLED = ("ThrottlingException", "ServiceQuotaExceededException", "ConflictException")
_THROTTLED_STREAM = ("throttlingException", "serviceQuotaExceededException")


class AgentEngine(Protocol):
    label: str

    def run(self, request: AgentRequest) -> AgentRun: ...


def agent_session_id(user_id: str, session_id: str) -> str:
    """The managed agent's session for this caller's conversation. Bound to the caller, so a
    session id someone else chose can never reopen another user's agent memory; 64 hex chars
    fit both InvokeAgent (2-100) and InvokeHarness (33-100)."""
    return hashlib.sha256(f"{user_id}\n{session_id}".encode()).hexdigest()


def handle_turn(turn: ChatTurn, engine: AgentEngine, service: BookingService) -> ChatOutcome:
    request = AgentRequest(
        message=turn.message,
        user_id=turn.user_id,
        session_id=agent_session_id(turn.user_id, turn.session_id),
        today=service.schedule.today().isoformat(),
        today_line=service.schedule.describe_today(),
    )
    try:
        run = engine.run(request)
    except (ReadTimeoutError, ConnectTimeoutError) as exc:
        raise ChatError(504, "agent_timeout", "The managed agent did not answer in time.") from exc
    except ClientError as exc:
        raise agent_error(exc) from exc

    turn.usage.unobservable_model()  # the loop's model calls happen inside AWS …
    if run.llm_calls is not None:  # … unless its trace reports them
        turn.usage.llm_calls = run.llm_calls
    turn.usage.input_tokens, turn.usage.output_tokens = run.input_tokens, run.output_tokens
    for call in run.tool_calls:
        turn.usage.record_tool_call(call.name)
    # Each action-group (or gateway) call the trace shows is one run of the action Lambda.
    turn.usage.lambda_invocations += len(run.tool_calls)
    booking = booked_this_turn(run, service, turn.user_id)
    if run.reply:
        return ChatOutcome(run.reply, [booking] if booking else [])
    # No words from the agent: say what the store confirms, never more.
    if booking is None:
        return ChatOutcome(NO_REPLY)
    return ChatOutcome(f"Booked {describe_booking(booking)}.", [booking])


def booked_this_turn(run: AgentRun, service: BookingService, user_id: str) -> Booking | None:
    """The booking a `book_slot` result in this turn's trace reported, confirmed against the
    store (it exists and is the caller's): the reply's wording is never the evidence."""
    reported = [
        call.output["booking"]["booking_id"]
        for call in run.tool_calls
        if call.name == "book_slot"
        and isinstance(call.output, dict)
        and isinstance(call.output.get("booking"), dict)
        and call.output["booking"].get("booking_id")
    ]
    if not reported:
        return None
    held = {booking.booking_id: booking for booking in service.list_bookings(user_id)}
    return next((held[bid] for bid in reversed(reported) if bid in held), None)


def agent_error(exc: ClientError) -> ChatError:
    code = exc.response.get("Error", {}).get("Code", "")
    if code in _THROTTLED or code in _THROTTLED_STREAM:
        return ChatError(429, "agent_throttled", "The managed agent is busy; retry shortly.")
    if code in ("AccessDeniedException", "accessDeniedException"):
        # The *deployment* is not allowed something (model access, the agent's role): a fault
        # upstream of the caller, so 502, with the hint an operator needs.
        return ChatError(
            502,
            "agent_access_denied",
            "The managed agent was refused access (check Bedrock model access and its role).",
        )
    if code in ("DependencyFailedException", "dependencyFailedException"):
        return ChatError(502, "agent_tool_failed", "The agent's booking tool failed.")
    return ChatError(502, "agent_error", "The managed agent could not answer.")
