"""Pattern G — multi-agent, multi-process: the manager's tools invoke specialist Lambdas.

The same roles as pattern F — a manager that talks and routes, an availability specialist
that can only look, a booking specialist that books — but each specialist is its own Lambda
function with its own role, and the manager's tools call them with `lambda:InvokeFunction`
(the manager's role may invoke exactly those two functions, nothing else; only the
specialists can touch the bookings table).

**Identity** travels in the invoke payload, written by this code from the verified request
(`TurnContext.user_id`); the model only writes the free-text request. **Usage** adds up what
was really spent: the manager's model calls (SDK accounting), each specialist's model calls
and tools as reported in its invoke response, and one `lambda_invocations` per invoke made.

**The write budget** crosses the process boundary the same way: each payload carries what the
turn may still book and cancel (`budget`), written by this code; the specialist enforces it
with its own `TurnEffects` and reports every booking and cancellation it made, which this code
records and deducts. Specialist invokes within a turn run one at a time (the model may ask for
several at once), so no two specialists are handed the same remaining budget. A specialist
that reports the budget spent ends the manager's run too.

Its neighbour, pattern F, runs these agents in one process (agents-as-tools, shared context);
moving them apart buys separate scaling, permissions and deployments at the price of invoke
latency and payload plumbing. Pattern H hands the whole loop to a managed service.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from agents import Agent, FunctionTool
from agents.models.interface import Model
from agents.tool_context import ToolContext

from booking.effects import Write
from booking.models import Booking
from booking.schedule import Schedule
from pattern_core.agent_runtime.runtime import run_chat_turn
from pattern_core.agent_runtime.sessions import Conversation
from pattern_core.agent_runtime.specialists import SPECIALISTS, Specialist, manager_instructions
from pattern_core.agent_runtime.tools import TurnContext, stop_when_budget_spent
from pattern_core.contract import trace
from pattern_core.contract.turn import ChatOutcome, ChatTurn
from pattern_core.usage import UsageFigures, UsageMeter

MAX_TURNS = 6  # manager model calls per request

# (function name or ARN, payload) -> the specialist's report. Deployed: `lambda:Invoke`.
InvokeSpecialist = Callable[[str, dict], dict]


def lambda_invoker(client) -> InvokeSpecialist:
    """Invoke a specialist function synchronously and read its report."""

    def invoke(function_name: str, payload: dict) -> dict:
        response = client.invoke(
            FunctionName=function_name,
            InvocationType="RequestResponse",
            Payload=json.dumps(payload).encode(),
        )
        body = json.loads(response["Payload"].read() or b"{}")
        if response.get("FunctionError"):
            return {"error": {"code": "specialist_failed", "message": "The specialist failed."}}
        return body if isinstance(body, dict) else {}

    return invoke


def specialist_tool(
    specialist: Specialist,
    function_name: str,
    invoke: InvokeSpecialist,
    usage: UsageMeter,
    one_at_a_time: asyncio.Lock,
) -> FunctionTool:
    async def ask(ctx: ToolContext[TurnContext], arguments: str) -> str:
        turn = ctx.context
        try:
            request = str(json.loads(arguments or "{}").get("input") or "").strip()
        except (ValueError, AttributeError):
            request = ""
        if not request:
            return "Give the specialist one self-contained request as `input`."
        async with one_at_a_time:  # each invoke sees the budget the previous one left
            if turn.effects.ended:
                return json.dumps(turn.effects.refusal(turn.effects.ended_by or "book"))
            # The caller's identity and the budget come from our code, never from the model.
            payload = {
                "request": request,
                "user_id": turn.user_id,
                "budget": {
                    "bookings": turn.effects.remaining("book"),
                    "cancellations": turn.effects.remaining("cancel"),
                },
            }
            traced_from = trace.now_ms()
            if traced_from is not None:
                payload["trace"] = True  # the specialist records its own trace and reports it
            # boto3 blocks; a worker thread keeps this loop free (and, locally, lets the
            # in-process specialist run its own loop on that thread).
            name = f"{specialist.key} specialist"
            with trace.span("lambda_invoke", name) as invoke_event:
                report = await asyncio.to_thread(invoke, function_name, payload)
                invoke_event["outcome"] = trace.tool_outcome(report)
            usage.record_invocations(1)
            if traced_from is not None:  # its events, on this turn's clock, inside the invoke
                trace.merge(report.get("trace") or (), offset_ms=traced_from, specialist=name)
            _account(report, turn, usage)
        if error := report.get("error"):
            return f"The {specialist.key} specialist could not finish: {error.get('message')}"
        return str(report.get("reply") or "")

    return FunctionTool(
        name=specialist.tool_name,
        description=specialist.tool_description,
        params_json_schema={
            "type": "object",
            "properties": {"input": {"type": "string", "description": "The request."}},
            "required": ["input"],
            "additionalProperties": False,
        },
        on_invoke_tool=ask,
        strict_json_schema=True,
    )


def _account(report: dict, turn: TurnContext, usage: UsageMeter) -> None:
    """Add a specialist's measured work to this turn: its model usage, tools, and every
    booking and cancellation it made (deducted from the turn's budget)."""
    usage.record_remote(UsageFigures.model_validate(report.get("usage") or {}))
    turn.tool_calls.extend(str(name) for name in report.get("tool_calls") or ())
    effects = turn.effects
    bookings = [Booking.model_validate(b) for b in report.get("bookings") or ()]
    cancellations = [Booking.model_validate(b) for b in report.get("cancellations") or ()]
    effects.spend("book", len(bookings))
    effects.spend("cancel", len(cancellations))
    for booking in bookings:
        effects.booked(booking)
    for booking in cancellations:
        effects.cancelled(booking)
    ended_by: Write | None = report.get("budget_spent_by")
    if ended_by in ("book", "cancel"):
        effects.end(ended_by)


def build_manager(
    schedule: Schedule, functions: dict[str, str], invoke: InvokeSpecialist, usage: UsageMeter
) -> Agent[TurnContext]:
    one_at_a_time = asyncio.Lock()  # built per turn: one turn's invokes queue, not others'
    return Agent[TurnContext](
        name="Front desk manager",
        instructions=manager_instructions(schedule),
        tools=[
            specialist_tool(specialist, functions[key], invoke, usage, one_at_a_time)
            for key, specialist in SPECIALISTS.items()
        ],
        # A specialist that reports the budget spent ends the turn: the reply names the work.
        tool_use_behavior=stop_when_budget_spent,
    )


async def handle_turn(
    turn: ChatTurn,
    schedule: Schedule,
    functions: dict[str, str],
    invoke: InvokeSpecialist,
    conversation: Conversation | None,
    model: Model | None = None,
    max_turns: int = MAX_TURNS,
) -> ChatOutcome:
    # The manager never touches bookings; it keeps the turn's record from the reports.
    context = TurnContext(turn.user_id, service=None, effects=turn.effects)
    return await run_chat_turn(
        build_manager(schedule, functions, invoke, turn.usage),
        turn,
        context,
        conversation,
        workflow="Pattern G: manager",
        max_turns=max_turns,
        model=model,
    )
