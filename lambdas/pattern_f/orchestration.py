"""Pattern F — multi-agent, one process: a manager agent routes to specialist agents.

The manager talks to the person and decides *who* works; an availability specialist (can only
look) and a booking specialist (can book, list, cancel) decide *which tools* run. All three are
Agents SDK agents in this one Lambda, sharing one run context (the verified caller) and one
usage account.

**Agents-as-tools, not handoffs.** With a handoff the specialist takes over the conversation
and answers the person itself; as a tool, the specialist gets one self-contained request from
the manager and reports back, and the manager stays the single voice. We chose tools because:
- the manager keeps control of every turn, so the next turn (and the session) always starts
  with it, and a specialist cannot wander off into another specialist's job;
- specialists are stateless (a request in, a report out), which is exactly the contract that
  lets pattern G move each one into its own Lambda without changing the roles or prompts —
  F and G differ *only* in the process boundary;
- each specialist sees a short request instead of the whole history: fewer input tokens.
The cost: one more model call per turn (the manager relays the report), and the manager must
resolve follow-ups ("the 3pm one") into the request it writes.

Its neighbour, pattern E, is one agent with every tool; pattern G runs these roles as three
Lambdas.
"""

from __future__ import annotations

from agents import Agent

from booking.schedule import Schedule
from pattern_core.agent_runtime.runtime import booking_agent_turn
from pattern_core.agent_runtime.specialists import SPECIALISTS, manager_instructions
from pattern_core.agent_runtime.tools import RECORD_TOOL_CALLS, TurnContext, stop_when_budget_spent

MAX_TURNS = 6  # manager model calls per request
SPECIALIST_MAX_TURNS = 6  # each specialist's model calls per request it gets


def build_manager(schedule: Schedule) -> Agent[TurnContext]:
    specialist_tools = [
        specialist.agent(schedule).as_tool(
            tool_name=specialist.tool_name,
            tool_description=specialist.tool_description,
            max_turns=SPECIALIST_MAX_TURNS,
            hooks=RECORD_TOOL_CALLS,  # the specialists' own tool calls count too
        )
        for specialist in SPECIALISTS.values()
    ]
    return Agent[TurnContext](
        name="Front desk manager",
        instructions=manager_instructions(schedule),
        tools=specialist_tools,
        # The specialists share the turn's write budget (one run context); once it refuses a
        # write the booking specialist's run ends, and so does the manager's.
        tool_use_behavior=stop_when_budget_spent,
    )


handle_turn = booking_agent_turn(
    build_manager, workflow="Pattern F: multi-agent, one process", max_turns=MAX_TURNS
)
