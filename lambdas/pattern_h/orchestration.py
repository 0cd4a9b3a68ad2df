"""Pattern H — managed agent.

AWS runs the agent loop. This project supplies the agent's instruction, its tools (the action
Lambda and the OpenAPI schema generated from it) and this thin invoker: it hands the message to
the managed agent with the verified caller attached where the model cannot touch it, collects
the streamed answer, and reports what the trace shows. Which operation runs, and when, is
decided inside Amazon Bedrock (an Agent, or an AgentCore harness) — not in this code.

Its neighbour, pattern G, runs a multi-agent loop in our own Lambdas with the Agents SDK: there
every model call and token is ours to count; here the loop is a managed service, so usage is
what its trace reports and `null` for what it does not.

**What the turn did** is read from the trace, never from the reply: every booking a `book_slot`
result reports that the store confirms (the caller holds it), and every cancellation a
`cancel_booking` result reports that the store confirms (the caller no longer holds it), in
order. The loop runs inside AWS, so this code cannot stop it; the action Lambda enforces the
turn's write budget (keyed by the turn id this code passes along), and when the trace shows a
write refused by it, the reply is written from the record, as in patterns D-G.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Protocol

from botocore.exceptions import ClientError, ConnectTimeoutError, ReadTimeoutError

from booking.effects import TurnEffects
from booking.models import Booking
from booking.service import BookingService
from pattern_core.contract.reporting import done_sentence, stopped_reply
from pattern_core.contract.turn import ChatError, ChatOutcome, ChatTurn
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
        turn_id=uuid.uuid4().hex,  # a fresh id per request: the write budget is per turn
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
    effects = turn.effects
    record_confirmed_writes(run, service, turn.user_id, effects)
    if effects.ended:  # the budget refused a write: the reply comes from the record
        reply = stopped_reply(effects.bookings, effects.cancellations, effects.limit_reason())
    else:
        # No words from the agent: say what the store confirms, never more.
        reply = run.reply or done_sentence(effects.bookings, effects.cancellations) or NO_REPLY
    return ChatOutcome.of(reply, effects)


def _reported(output: dict | None, key: str) -> str | None:
    found = output.get(key) if isinstance(output, dict) else None
    return found.get("booking_id") if isinstance(found, dict) else None


def record_confirmed_writes(
    run: AgentRun, service: BookingService, user_id: str, effects: TurnEffects
) -> None:
    """Record, in order, each booking and cancellation this turn's trace reports and the store
    confirms (a booking the caller holds; a cancelled booking the caller no longer holds): the
    reply's wording is never the evidence. A refusal by the write budget ends the turn."""
    reported = [
        (call.name, call.output)
        for call in run.tool_calls
        if call.name in ("book_slot", "move_booking", "cancel_booking")
    ]
    if not reported:
        return
    held = {booking.booking_id: booking for booking in service.list_bookings(user_id)}
    for name, output in reported:
        error = output.get("error") if isinstance(output, dict) else None
        if isinstance(error, dict) and error.get("code") == "turn_write_limit":
            effects.end("cancel" if name == "cancel_booking" else "book")
            continue
        if name != "cancel_booking":  # book_slot, move_booking: the booking made
            booking_id = _reported(output, "booking")
            if booking_id in held:
                effects.booked(held[booking_id])
        if name != "book_slot":  # cancel_booking, move_booking: the booking cancelled
            booking_id = _reported(output, "cancelled")
            if booking_id and booking_id not in held:
                effects.cancelled(Booking.model_validate(output["cancelled"]))


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
