"""Pattern E — single agent: the OpenAI Agents SDK runs the loop.

One `Agent` holds the four booking tools (the shared contract as SDK function tools) and
instructions carrying today's date; `Runner.run` does what pattern D's loop does by hand — call
the model, execute the tools it asks for, feed results back, stop at a final answer — bounded
by `max_turns` and by the turn's write budget (a refused write ends the run, through the
agent's `tool_use_behavior`). Conversation memory is the SDK's `Session` interface over the
DynamoDB sessions table; usage comes from the SDK's own accounting.

Its neighbour, pattern D, writes that loop itself (every message and stopping rule visible);
pattern F splits this one agent into a manager and specialists.
"""

from __future__ import annotations

from agents import Agent

from booking.schedule import Schedule
from pattern_core.agent_runtime.instructions import assistant_instructions
from pattern_core.agent_runtime.runtime import booking_agent_turn
from pattern_core.agent_runtime.tools import TurnContext, booking_tools, stop_when_budget_spent

MAX_TURNS = 8  # model calls per request


def build_agent(schedule: Schedule) -> Agent[TurnContext]:
    return Agent[TurnContext](
        name="Court booking assistant",
        instructions=assistant_instructions(schedule),
        tools=booking_tools(),
        # Past the turn's write budget the run ends; the reply names what was done.
        tool_use_behavior=stop_when_budget_spent,
    )


handle_turn = booking_agent_turn(
    build_agent, workflow="Pattern E: single agent", max_turns=MAX_TURNS
)
