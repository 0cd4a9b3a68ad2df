"""Pattern D — function calling: the model proposes, your loop disposes.

The model sees the four booking tools (the shared contract, as Chat Completions tool schemas)
and decides which to call and with what arguments; *this loop* executes each call for the
verified caller, appends the result, and asks again — until the model answers in words. The
loop is bounded (model rounds and tool calls per turn) and so are its writes (the turn's write
budget: a refused book or cancel ends the turn at once). A turn that ends early replies from
code, naming everything booked and cancelled — or, with nothing done, ends with an honest
error (502 `loop_limit`).

Its neighbour, pattern E, hands this very loop to the OpenAI Agents SDK; here every step is
visible code: the message list, the tool dispatch, the stopping rule. Conversation history is
the Chat Completions message list itself, kept in the sessions table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import openai
from aws_lambda_powertools import Logger
from openai import OpenAI

from booking.service import BookingService
from booking.tools import TOOLS, invoke_tool
from pattern_core.agent_runtime.instructions import assistant_instructions
from pattern_core.agent_runtime.sessions import Conversation
from pattern_core.contract import trace
from pattern_core.contract.reporting import stopped_reply
from pattern_core.contract.turn import ChatError, ChatOutcome, ChatTurn
from pattern_core.model.client import deadline_of_call, record_answer, within_deadline

logger = Logger(child=True)
TOOL_SCHEMAS = [tool.chat_completions_schema() for tool in TOOLS]


@dataclass(frozen=True)
class LoopLimits:
    max_rounds: int = 6  # model calls per turn
    max_tool_calls: int = 8  # tool executions per turn


class _Stopped(Exception):
    """The turn ends before the model's answer: the write budget refused a write (`reason`
    says which rule), or a loop bound was hit (`reason` is None)."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason


def handle_turn(
    turn: ChatTurn,
    service: BookingService,
    client: OpenAI,
    model: str,
    conversation: Conversation,
    limits: LoopLimits = LoopLimits(),
) -> ChatOutcome:
    history = conversation.items()  # this caller's own session (the key includes the caller)
    new: list[dict] = [{"role": "user", "content": turn.message}]
    try:
        reply = _loop(turn, service, client, model, history, new, limits)
    except _Stopped as stop:
        return _stopped(turn, conversation, new, stop.reason, limits)
    except openai.APIError:
        # A failed model call after a write must not hide the write behind an error.
        if not turn.effects.changed_anything:
            _keep_request(conversation, new)
            raise
        return _stopped(turn, conversation, new, "the model could not be reached", limits)
    except BaseException:
        _keep_request(conversation, new)  # a deadline, say: the request is not forgotten
        raise
    new.append({"role": "assistant", "content": reply})
    conversation.append(new)
    return ChatOutcome.of(reply, turn.effects)


def _loop(turn, service, client, model, history, new, limits) -> str:
    system = {"role": "system", "content": assistant_instructions(service.schedule)}
    for _round in range(limits.max_rounds):
        # Each call gets no more than the request's time left (DeadlineExceeded when it is up).
        with deadline_of_call(turn.deadline) as model_event:
            completion = within_deadline(client, turn.deadline).chat.completions.create(
                model=model, messages=[system, *history, *new], tools=TOOL_SCHEMAS
            )
            record_answer(model_event, completion)
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
                raise _Stopped()
            # The caller's identity comes from the verified request, never from the arguments;
            # writes spend the turn's budget and are recorded in `turn.effects`. The trace
            # shows the arguments as the model sent them.
            with trace.span(
                "tool_call", call.function.name, arguments=call.function.arguments
            ) as tool_event:
                result = invoke_tool(
                    call.function.name,
                    service,
                    turn.user_id,
                    call.function.arguments,
                    effects=turn.effects,
                )
                tool_event["outcome"] = trace.tool_outcome(result)
            turn.usage.record_tool_call(call.function.name)
            new.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})
            if turn.effects.ended:  # the budget refused a write: the turn ends here
                raise _Stopped(turn.effects.limit_reason())
    raise _Stopped()


def _keep_request(conversation: Conversation, new: list[dict]) -> None:
    """A failed turn still writes its request (the session's one write), not the unfinished
    tool exchange: a tool call without its result would make the next request invalid. A
    failure to write is logged, so the caller still hears the first error."""
    try:
        conversation.append(new[:1])
    except Exception:
        logger.exception("the failed turn's request could not be written to the session")


def _stopped(
    turn: ChatTurn,
    conversation: Conversation,
    new: list[dict],
    reason: str | None,
    limits: LoopLimits,
) -> ChatOutcome:
    effects = turn.effects
    if reason is None:
        bound = (
            f"{limits.max_rounds} model calls and {limits.max_tool_calls} tool calls per request"
        )
        if not effects.changed_anything:
            ran = ", ".join(turn.usage.tool_calls) or "none"
            raise ChatError(
                502,
                "loop_limit",
                f"The model did not finish within {bound} (tools run: {ran}); no booking was made.",
            )
        reason = f"the model had not finished within {bound}"
    # Something real happened (or the budget said no): report it rather than hide it. The
    # session keeps the request and this answer, not the unfinished tool exchange.
    reply = stopped_reply(effects.bookings, effects.cancellations, reason)
    conversation.append([new[0], {"role": "assistant", "content": reply}])
    return ChatOutcome.of(reply, effects)
