"""Pattern D — function calling: the model proposes, your loop disposes.

The model sees the four booking tools (the shared contract, as Chat Completions tool schemas)
and decides which to call and with what arguments; *this loop* executes each call for the
verified caller, appends the result, and asks again — until the model answers in words. The
loop is bounded (model rounds and tool calls per turn); when a bound is hit the turn ends with
an honest error (502 `loop_limit`), or — if a booking was already made — a reply that says so.

Its neighbour, pattern E, hands this very loop to the OpenAI Agents SDK; here every step is
visible code: the message list, the tool dispatch, the stopping rule. Conversation history is
the Chat Completions message list itself, kept in the sessions table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from openai import OpenAI

from booking.models import Booking
from booking.service import BookingService
from booking.tools import TOOLS, invoke_tool
from pattern_core.assistant import assistant_instructions, booking_in
from pattern_core.fulfilment import describe_booking
from pattern_core.http import ChatError, ChatOutcome, ChatTurn
from pattern_core.llm import deadline_of_call, within_deadline
from pattern_core.sessions import Conversation, SessionForbidden

TOOL_SCHEMAS = [tool.chat_completions_schema() for tool in TOOLS]


@dataclass(frozen=True)
class LoopLimits:
    max_rounds: int = 6  # model calls per turn
    max_tool_calls: int = 8  # tool executions per turn


class _LimitReached(Exception):
    pass


def handle_turn(
    turn: ChatTurn,
    service: BookingService,
    client: OpenAI,
    model: str,
    conversation: Conversation,
    limits: LoopLimits = LoopLimits(),
) -> ChatOutcome:
    try:
        conversation.authorize()  # before any model call: another caller's id stops here
    except SessionForbidden as exc:
        raise ChatError(403, "session_forbidden", str(exc)) from None
    history = conversation.items()
    new: list[dict] = [{"role": "user", "content": turn.message}]
    bookings: list[Booking] = []
    try:
        reply = _loop(turn, service, client, model, history, new, bookings, limits)
    except _LimitReached:
        return _stopped(turn, conversation, new, bookings, limits)
    new.append({"role": "assistant", "content": reply})
    conversation.append(new)
    return ChatOutcome(reply, bookings)


def _loop(turn, service, client, model, history, new, bookings, limits) -> str:
    system = {"role": "system", "content": assistant_instructions(service.schedule)}
    for _round in range(limits.max_rounds):
        # Each call gets no more than the request's time left (DeadlineExceeded when it is up).
        with deadline_of_call(turn.deadline):
            completion = within_deadline(client, turn.deadline).chat.completions.create(
                model=model, messages=[system, *history, *new], tools=TOOL_SCHEMAS
            )
        turn.usage.record_model_call(completion.usage)
        message = completion.choices[0].message
        calls = [
            c for c in message.tool_calls or () if getattr(c, "type", "function") == "function"
        ]
        if not calls:
            return message.content or message.refusal or ""
        new.append(
            {
                "role": "assistant",
                "content": message.content,
                "tool_calls": [
                    {
                        "id": call.id,
                        "type": "function",
                        "function": {
                            "name": call.function.name,
                            "arguments": call.function.arguments,
                        },
                    }
                    for call in calls
                ],
            }
        )
        for call in calls:
            if len(turn.usage.tool_calls) >= limits.max_tool_calls:
                raise _LimitReached
            # The caller's identity comes from the verified request, never from the arguments.
            result = invoke_tool(call.function.name, service, turn.user_id, call.function.arguments)
            turn.usage.record_tool_call(call.function.name)
            if (booking := booking_in(result)) is not None:
                bookings.append(booking)
            new.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})
    raise _LimitReached


def _stopped(
    turn: ChatTurn,
    conversation: Conversation,
    new: list[dict],
    bookings: list[Booking],
    limits: LoopLimits,
) -> ChatOutcome:
    ran = ", ".join(turn.usage.tool_calls) or "none"
    bound = f"{limits.max_rounds} model calls and {limits.max_tool_calls} tool calls per request"
    if not bookings:
        raise ChatError(
            502,
            "loop_limit",
            f"The model did not finish within {bound} (tools run: {ran}); no booking was made.",
        )
    # Something real happened: report it rather than hide it behind an error.
    reply = (
        f"Booked {describe_booking(bookings[-1])}. I stopped there: the model had not finished "
        f"within {bound}."
    )
    conversation.append([new[0], {"role": "assistant", "content": reply}])
    return ChatOutcome(reply, bookings)
