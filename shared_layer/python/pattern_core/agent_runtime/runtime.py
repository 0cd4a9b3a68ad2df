"""Running OpenAI Agents SDK agents inside Lambda (patterns E, F and G).

- **One event loop per thread, reused.** The handler is synchronous; `run_sync` drives the
  agent on a loop kept for the container's life (one per thread: the local server is
  threaded, and pattern G's in-process specialists run in worker threads). `asyncio.run` per
  invocation would close the loop that a cached `AsyncOpenAI` client's connection pool is
  bound to, breaking every warm invocation after the first.
- **One model client per loop** (`pattern_core.collaborators.async_openai_client`), built on
  first use inside that loop (`OPENAI_BASE_URL`, timeouts and the key from Secrets Manager as
  for every pattern).
- **Trace export to OpenAI is off** unless `OPENAI_AGENTS_DISABLE_TRACING` is explicitly
  `0`/`false`; a turn asked for its trace gets the SDK's spans as events, through a processor
  that replaces the exporter (`agent_runtime.tracing`).
- **Usage from the SDK's own accounting** (`result.context_wrapper.usage`: requests, input and
  output tokens; nested agents-as-tools share it), tool names as the tools ran.
- **Bounded**: `max_turns` and the turn's write budget (the agents stop the run when it
  refuses a write). A turn that ends early — the budget, `MaxTurnsExceeded`, a model error —
  after booking or cancelling something gets a reply from code naming all of it; with nothing
  done, the limit and model errors stay errors (502 `loop_limit`, `model_error`).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import openai
from agents import (
    Agent,
    MaxTurnsExceeded,
    ModelBehaviorError,
    OpenAIResponsesModel,
    RunConfig,
    Runner,
    RunResult,
    set_tracing_export_api_key,
)
from agents.models.interface import Model
from aws_lambda_powertools import Logger

from booking.schedule import Schedule
from booking.service import BookingService
from pattern_core.agent_runtime.sessions import Conversation, DynamoSession
from pattern_core.agent_runtime.tools import RECORD_TOOL_CALLS, TurnContext
from pattern_core.agent_runtime.tracing import run_tracing
from pattern_core.collaborators import async_openai_client
from pattern_core.contract.reporting import stopped_reply
from pattern_core.contract.turn import ChatError, ChatOutcome, ChatTurn
from pattern_core.deadline import MIN_CALL_SECONDS, NO_CONTEXT_SECONDS, Deadline, DeadlineExceeded
from pattern_core.model.client import model_name, openai_api_key, within_deadline
from pattern_core.usage import UsageMeter
from settings import Settings

T = TypeVar("T")
logger = Logger(child=True)
_thread = threading.local()


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to completion on this thread's long-lived event loop."""
    loop = getattr(_thread, "loop", None)
    if loop is None or loop.is_closed():
        loop = _thread.loop = asyncio.new_event_loop()
    return loop.run_until_complete(coroutine)


def default_model(deadline: Deadline | None = None) -> Model:
    """The configured model; with a `deadline`, a per-turn client (same connection pool) whose
    calls each get at most the time the turn has left, retried only if a retry still fits."""
    client = async_openai_client()
    if deadline is not None:
        client = within_deadline(client, deadline)
    return OpenAIResponsesModel(model=model_name(), openai_client=client)


def tracing_disabled() -> bool:
    return Settings.from_env().openai_agents_disable_tracing


async def run_agent(
    agent: Agent[TurnContext],
    message: str,
    *,
    context: TurnContext,
    usage: UsageMeter,
    max_turns: int,
    session: DynamoSession | None = None,
    model: Model | None = None,
    workflow: str = "Court booking",
    deadline: Deadline | None = None,
) -> RunResult:
    """Run `agent` on `message` for the caller in `context`; usage lands in `usage`. The whole
    run ends by `deadline` (DeadlineExceeded), and so does each model call in it."""
    deadline = deadline or Deadline.after(NO_CONTEXT_SECONDS)
    export = not tracing_disabled()
    if export:  # opted in: export with the same key (in Lambda, from Secrets Manager)
        set_tracing_export_api_key(openai_api_key())
    # Traced when the turn is recorded (`X-Patterns-Trace`) or export is on; the SDK's spans
    # reach the exporter only if export is on (`agent_runtime.tracing`).
    tracing = run_tracing(export)
    options = {}
    if tracing.include_sensitive_data is not None:
        options["trace_include_sensitive_data"] = tracing.include_sensitive_data
    config = RunConfig(
        model=model or default_model(deadline),
        tracing_disabled=tracing.disabled,
        workflow_name=workflow,
        **options,
    )
    try:
        result = await asyncio.wait_for(
            Runner.run(
                agent,
                message,
                context=context,
                max_turns=max_turns,
                hooks=RECORD_TOOL_CALLS,
                run_config=config,
                session=session,
            ),
            timeout=deadline.cap(deadline.left(), "the agent run"),
        )
    except DeadlineExceeded:
        raise
    except MaxTurnsExceeded as exc:
        if exc.run_data is not None:
            usage.record_model_run(exc.run_data.context_wrapper.usage, context.tool_calls)
        raise TurnLimit(max_turns, context) from None
    except ModelBehaviorError:
        raise ChatError(502, "model_error", "The model made an invalid request.") from None
    except Exception as exc:
        # `wait_for`'s TimeoutError, or a model call or tool cut short by the deadline and
        # wrapped by the SDK: once the time is up, that is the deadline, reported as such.
        if not deadline.fits(MIN_CALL_SECONDS):
            raise DeadlineExceeded("the agent run") from exc
        raise
    usage.record_model_run(result.context_wrapper.usage, context.tool_calls)
    return result


class TurnLimit(Exception):
    """The agent did not finish within `max_turns`."""

    def __init__(self, max_turns: int, context: TurnContext) -> None:
        super().__init__(f"no final answer within {max_turns} turns")
        self.max_turns, self.context = max_turns, context

    def outcome(self) -> ChatOutcome:
        """An honest answer: a 502 `loop_limit` error, unless something was already booked or
        cancelled — then a reply that names all of it and says the agent stopped."""
        ran = ", ".join(self.context.tool_calls) or "none"
        if not self.context.effects.changed_anything:
            raise ChatError(
                502,
                "loop_limit",
                f"The agent did not finish within {self.max_turns} turns (tools run: {ran}); "
                "no booking was made.",
            )
        return stopped(self.context, f"the agent had not finished within {self.max_turns} turns")


def stopped(context: TurnContext, reason: str) -> ChatOutcome:
    """The turn ended before the model's answer: everything done, and why it stopped."""
    effects = context.effects
    return ChatOutcome.of(stopped_reply(effects.bookings, effects.cancellations, reason), effects)


def outcome_of(result: RunResult, context: TurnContext) -> ChatOutcome:
    """The reply and everything booked and cancelled in this turn (from the tools' record);
    when the write budget ended the run, the reply is written from that record."""
    if context.effects.ended:
        return stopped(context, context.effects.limit_reason())
    return ChatOutcome.of(str(result.final_output or ""), context.effects)


async def run_chat_turn(
    agent: Agent[TurnContext],
    turn: ChatTurn,
    context: TurnContext,
    conversation: Conversation | None,
    *,
    workflow: str,
    max_turns: int,
    model: Model | None = None,
) -> ChatOutcome:
    """One /chat turn of an agent pattern (E, F, G's manager): the caller's own session, the
    run, and its outcome — the reply with everything booked and cancelled in this turn, or an
    honest answer when the run ended early. The session is read once and written once: what
    the SDK added during the run is flushed when the run ends, however it ends."""
    session = DynamoSession(conversation) if conversation is not None else None
    try:
        result = await run_agent(
            agent,
            turn.message,
            context=context,
            usage=turn.usage,
            max_turns=max_turns,
            session=session,
            model=model,
            workflow=workflow,
            deadline=turn.deadline,
        )
    except TurnLimit as limit:
        await _flush(session)
        return limit.outcome()
    except (ChatError, openai.APIError) as failure:
        await _flush(session, failing=not context.effects.changed_anything)
        # A failed model call after a write must not hide the write behind an error.
        if not context.effects.changed_anything:
            raise
        reason = "the model could not be reached"
        if isinstance(failure, ChatError):
            reason = "the model made an invalid request"
        return stopped(context, reason)
    except BaseException:
        # Even a deadline or an unexpected error keeps the turn's request (and every step the
        # SDK completed) in the conversation.
        await _flush(session, failing=True)
        raise
    await _flush(session)
    return outcome_of(result, context)


def booking_agent_turn(
    build: Callable[[Schedule], Agent[TurnContext]], *, workflow: str, max_turns: int
) -> Callable[..., Coroutine[Any, Any, ChatOutcome]]:
    """`handle_turn` of a pattern whose agents book through the service in this process
    (E: one agent, F: a manager with specialists as tools): the agent `build` makes for the
    service's schedule runs one turn for the caller, on their conversation."""

    async def handle_turn(
        turn: ChatTurn,
        service: BookingService,
        conversation: Conversation | None,
        model: Model | None = None,
        max_turns: int = max_turns,
    ) -> ChatOutcome:
        context = TurnContext(turn.user_id, service, turn.effects)
        agent = build(service.schedule)
        return await run_chat_turn(
            agent, turn, context, conversation, workflow=workflow, max_turns=max_turns, model=model
        )

    return handle_turn


async def _flush(session: DynamoSession | None, *, failing: bool = False) -> None:
    """Write the run's session items; when the turn is already failing, a failed write is
    logged rather than raised, so the caller still hears the first error."""
    if session is None:
        return
    try:
        await session.flush()
    except Exception:
        if not failing:
            raise
        logger.exception("the failed turn's session items could not be written")
