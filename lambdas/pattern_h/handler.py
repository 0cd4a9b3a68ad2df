"""Pattern H's invoker Lambda: the HTTP contract around the managed agent.

The engine is deployment configuration (`H_ENGINE`, set by the stack from `-c h_engine=`):
`bedrock_agent` calls InvokeAgent on the agent alias, `agentcore` calls InvokeHarness on the
harness endpoint. Clients come from cached getters; each turn waits on the agent for at most
its cap or the time the request has left, never retried automatically, so a slow agent becomes
a clear 504 in the contract's body rather than a gateway timeout.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator

import boto3

from pattern_core.collaborators import booking_service, per_container
from pattern_core.contract.entry import chat_handler
from pattern_core.contract.turn import ChatError, ChatOutcome, ChatTurn
from pattern_core.deadline import Deadline, DeadlineExceeded, single_attempt_config
from pattern_h.engines import AgentCoreHarnessEngine, BedrockAgentEngine
from pattern_h.orchestration import AgentEngine, handle_turn
from settings import Settings

ENGINES = ("bedrock_agent", "agentcore")


def agent_read_timeout() -> float:
    """How long the invoker waits on the agent at most: below its own function timeout
    (stacks/timeouts.py); the turn's deadline may allow less."""
    return Settings.from_env().agent_read_timeout_seconds


@per_container
def agent_engine(read_timeout: float | None = None) -> AgentEngine:
    """The engine, with a client per read timeout (the turn's time left, in half seconds)."""
    # No automatic retries: InvokeAgent / InvokeHarness run the whole agent loop, which may
    # book a court; a retry after a lost answer could book a second one.
    config = single_attempt_config(read_timeout or agent_read_timeout())
    settings = Settings.from_env()
    engine = settings.h_engine
    if engine == "agentcore":
        return AgentCoreHarnessEngine(
            boto3.client("bedrock-agentcore", config=config),
            harness_arn=settings.required("harness_arn"),
            endpoint=settings.harness_endpoint,
            gateway_url=settings.required("gateway_url"),
        )
    if engine != "bedrock_agent":
        raise ValueError(f"H_ENGINE must be one of {ENGINES}, not {engine!r}")
    return BedrockAgentEngine(
        boto3.client("bedrock-agent-runtime", config=config),
        agent_id=settings.required("agent_id"),
        alias_id=settings.required("agent_alias_id"),
    )


class DeadlineBoundClient:
    """The Bedrock client for one turn: the call, and the event stream it answers with, end at
    the turn's deadline (a socket read is bounded by the read timeout; a stream that keeps
    trickling is stopped between events)."""

    WHAT = "the managed agent"

    def __init__(self, client, deadline: Deadline) -> None:
        self.client, self.deadline = client, deadline

    def invoke_agent(self, **params) -> dict:
        return self._bounded(self.client.invoke_agent, params, "completion")

    def invoke_harness(self, **params) -> dict:
        return self._bounded(self.client.invoke_harness, params, "stream")

    def _bounded(self, call, params: dict, stream_key: str) -> dict:
        with self.deadline.bounding(self.WHAT):
            response = call(**params)
        return {**response, stream_key: self._until_deadline(response[stream_key])}

    def _until_deadline(self, events: Iterable[dict]) -> Iterator[dict]:
        with self.deadline.bounding(self.WHAT):
            for event in events:
                yield event
                self.deadline.check(self.WHAT)


def turn_engine(deadline: Deadline) -> AgentEngine:
    """The configured engine, waiting no longer than its cap or the turn's time left."""
    engine = copy.copy(agent_engine(deadline.client_timeout(agent_read_timeout(), "the agent")))
    engine.client = DeadlineBoundClient(engine.client, deadline)
    return engine


OUT_OF_TIME = (
    "The managed agent did not answer in time. It may still have acted: check your bookings "
    "before retrying."
)


def orchestrate(turn: ChatTurn) -> ChatOutcome:
    try:
        return handle_turn(turn, turn_engine(turn.deadline), booking_service())
    except DeadlineExceeded:
        # The agent's action Lambda books out of this process: what it did is not known here.
        raise ChatError(504, "deadline_exceeded", OUT_OF_TIME) from None


app, handler = chat_handler("H", orchestrate, warm=[booking_service, agent_engine])
