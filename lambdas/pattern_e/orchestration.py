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
from agents.models.interface import Model

from booking.schedule import Schedule
from booking.service import BookingService
from pattern_core.agent_runtime.instructions import assistant_instructions
from pattern_core.agent_runtime.runtime import run_chat_turn
from pattern_core.agent_runtime.sessions import Conversation
from pattern_core.agent_runtime.tools import TurnContext, booking_tools, stop_when_budget_spent
from pattern_core.contract.turn import ChatOutcome, ChatTurn

MAX_TURNS = 8  # model calls per request


def build_agent(schedule: Schedule) -> Agent[TurnContext]:
    return Agent[TurnContext](
        name="Court booking assistant",
        instructions=assistant_instructions(schedule),
        tools=booking_tools(),
        # Past the turn's write budget the run ends; the reply names what was done.
        tool_use_behavior=stop_when_budget_spent,
    )


async def handle_turn(
    turn: ChatTurn,
    service: BookingService,
    conversation: Conversation | None,
    model: Model | None = None,
    max_turns: int = MAX_TURNS,
) -> ChatOutcome:
    context = TurnContext(turn.user_id, service, turn.effects)
    return await run_chat_turn(
        build_agent(service.schedule),
        turn,
        context,
        conversation,
        workflow="Pattern E: single agent",
        max_turns=max_turns,
        model=model,
    )
