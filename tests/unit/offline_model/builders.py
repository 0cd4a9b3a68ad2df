"""Builders for hand-made conversations, in the policy's wire-neutral form."""

from __future__ import annotations

import json
from itertools import count
from typing import Any

from booking.tools import TOOLS
from local.offline_model.policy import Conversation, Message, ToolCall, ToolResult
from local.offline_model.toolbox import ToolSpec

TODAY_LINE = "You help book tennis courts. Today is 2026-11-24 (Tuesday), time zone UTC."
TOMORROW = "2026-11-25"


def slot(court: str, time: str, day: str = TOMORROW) -> dict[str, str]:
    slot_id = f"{day}_{court.replace(' ', '')}_{time.replace(':', '')}"
    return {"slot_id": slot_id, "court": court, "date": day, "time": time}


def booking(court: str, time: str, day: str = TOMORROW, suffix: str = "a1b2c3d4") -> dict:
    return {**slot(court, time, day), "booking_id": f"{slot(court, time, day)['slot_id']}.{suffix}"}


class Script:
    """A conversation under construction: messages plus tool calls paired with their results."""

    def __init__(self, *messages: str) -> None:
        self.items: list[Any] = [Message("system", TODAY_LINE)]
        self._ids = count(1)
        for text in messages:
            self.user(text)

    def user(self, text: str) -> Script:
        self.items.append(Message("user", text))
        return self

    def assistant(self, text: str) -> Script:
        self.items.append(Message("assistant", text))
        return self

    def tool(self, name: str, arguments: dict, result: Any) -> Script:
        call_id = f"call_{next(self._ids)}"
        output = result if isinstance(result, str) else json.dumps(result)
        self.items += [ToolCall(call_id, name, arguments), ToolResult(call_id, output)]
        return self

    def conversation(self, tools: list[ToolSpec] | None = None, **options: Any) -> Conversation:
        return Conversation(list(self.items), domain_tools() if tools is None else tools, **options)


def domain_tools() -> list[ToolSpec]:
    """The project's real tool contract, as a model sees it."""
    return [ToolSpec(t.name, t.description, t.parameters_schema()) for t in TOOLS]


def legacy_tools() -> list[ToolSpec]:
    """A contract that books by slot id only (as this project's did, and as many do): the
    stand-in must check availability first and choose the slot itself."""

    def strict(**properties: dict) -> dict:
        return {
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }

    text, maybe = {"type": "string"}, {"type": ["string", "null"]}
    return [
        ToolSpec("check_availability", "List free court slots.", strict(date=text, time=maybe)),
        ToolSpec("book_slot", "Book one free slot.", strict(slot_id=text)),
        ToolSpec("list_bookings", "List the user's bookings.", strict()),
        ToolSpec("cancel_booking", "Cancel a booking.", strict(booking_id=text)),
    ]
