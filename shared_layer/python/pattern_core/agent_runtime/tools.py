"""Agents SDK function tools from the shared tool contract (patterns E, F and G).

The same `booking.tools.TOOLS` that give pattern D its Chat Completions schemas become
`FunctionTool`s here: same names, descriptions, strict JSON schemas and argument validation.
The caller's identity is **not** an argument — each tool reads it from the run context
(`RunContextWrapper.context`, a `TurnContext` built by our code from the verified request), and
any `user_id` a model adds to the arguments is dropped by the contract's parser.

The turn's write budget and record (`TurnContext.effects`) go into every tool call. When the
budget refuses a write, `stop_when_budget_spent` — the agents' `tool_use_behavior` — ends the run
right after that batch of tool calls, so the model is not asked again; the orchestration then
replies from code with what was done (`agent_runtime.run_chat_turn`).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from agents import (
    Agent,
    FunctionTool,
    FunctionToolResult,
    RunContextWrapper,
    RunHooks,
    Tool,
    ToolsToFinalOutputResult,
)
from agents.tool_context import ToolContext

from booking.effects import TurnEffects
from booking.service import BookingService
from booking.tools import TOOLS_BY_NAME, BookingTool


@dataclass
class TurnContext:
    """What our code knows about this turn; tools see it, the model never does."""

    user_id: str  # from the verified request
    service: BookingService | None  # None where no tool touches bookings (G's manager)
    # The turn's write budget and what it booked and cancelled, in order (nested runs share it).
    effects: TurnEffects = field(default_factory=TurnEffects)
    tool_calls: list[str] = field(default_factory=list)  # every tool run, nested runs included


def function_tool(tool: BookingTool) -> FunctionTool:
    async def invoke(ctx: ToolContext[TurnContext], arguments: str) -> str:
        turn = ctx.context
        # The store is synchronous (boto3): keep the event loop free while it works.
        result = await asyncio.to_thread(
            lambda: tool.invoke(turn.service, turn.user_id, arguments, effects=turn.effects)
        )
        return json.dumps(result)

    return FunctionTool(
        name=tool.name,
        description=tool.description,
        params_json_schema=tool.parameters_schema(),
        on_invoke_tool=invoke,
        strict_json_schema=True,
    )


def booking_tools(*names: str) -> list[FunctionTool]:
    """Function tools for the named operations (all of them when none are named)."""
    return [function_tool(TOOLS_BY_NAME[name]) for name in names or TOOLS_BY_NAME]


def stop_when_budget_spent(
    context: RunContextWrapper[TurnContext], results: list[FunctionToolResult]
) -> ToolsToFinalOutputResult:
    """`tool_use_behavior`: end the run once the write budget refused a write (the final
    output is left empty; the orchestration writes the reply from the turn's record)."""
    if context.context.effects.ended:
        return ToolsToFinalOutputResult(is_final_output=True, final_output="")
    return ToolsToFinalOutputResult(is_final_output=False)


class ToolCallRecorder(RunHooks[TurnContext]):
    """Records each tool as it starts, in order, into the turn context — including the tools
    of nested agent runs (agents-as-tools), which never appear in the outer run's items."""

    async def on_tool_start(
        self, context: RunContextWrapper[TurnContext], agent: Agent[Any], tool: Tool
    ) -> None:
        context.context.tool_calls.append(tool.name)


RECORD_TOOL_CALLS = ToolCallRecorder()
