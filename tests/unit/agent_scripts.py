"""Helpers for scripting Agents SDK runs with `agents.testing.ScriptedModel` (patterns E-G)."""

from __future__ import annotations

import itertools
import json

from agents import Usage
from agents.testing import ModelStep, ScriptedModel, assistant_message, function_call

from pattern_core.contract.turn import ChatTurn
from pattern_core.usage import UsageMeter

_ids = itertools.count(1)
TOKENS_IN, TOKENS_OUT = 100, 10


def calls(*named: tuple[str, dict]) -> ModelStep:
    """One model response asking for these tool calls."""
    return ModelStep(
        output=[function_call(name, args, call_id=f"call_{next(_ids)}") for name, args in named],
        usage=Usage(requests=1, input_tokens=TOKENS_IN, output_tokens=TOKENS_OUT),
    )


def call(name: str, **arguments) -> ModelStep:
    return calls((name, arguments))


def says(text: str) -> ModelStep:
    """One model response with a final answer."""
    return ModelStep(
        output=[assistant_message(text)],
        usage=Usage(requests=1, input_tokens=TOKENS_IN, output_tokens=TOKENS_OUT),
    )


def scripted(*steps: ModelStep) -> ScriptedModel:
    return ScriptedModel(list(steps))


def chat_turn(message: str, user_id: str = "alice", pattern: str = "E") -> ChatTurn:
    return ChatTurn(message, user_id, "s1", UsageMeter(), pattern)


def tool_outputs(model: ScriptedModel, call_index: int) -> list[dict]:
    """The tool results the model was shown in its `call_index`-th request."""
    items = model.calls[call_index].input
    return [
        json.loads(item["output"])
        for item in items
        if isinstance(item, dict) and item.get("type") == "function_call_output"
    ]


def slot_at(day: str, time: str, court: str = "CourtB") -> str:
    return f"{day}_{court}_{time.replace(':', '')}"


def keeps_booking(day: str, *times: str) -> list[ModelStep]:
    """A model that never stops asking to book: one `book_slot` per round, each at a new start
    time (so the store's per-caller rules never refuse one)."""
    return [call("book_slot", slot_id=slot_at(day, time)) for time in times]


def keeps_cancelling(*booking_ids: str) -> list[ModelStep]:
    return [call("cancel_booking", booking_id=booking_id) for booking_id in booking_ids]


MANY_TIMES = ("09:00", "10:00", "11:00", "14:00", "15:00", "16:00", "17:00")
