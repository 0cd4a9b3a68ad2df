"""Pattern H's invoker Lambda: the HTTP contract around the managed agent.

The engine is deployment configuration (`H_ENGINE`, set by the stack from `-c h_engine=`):
`bedrock_agent` calls InvokeAgent on the agent alias, `agentcore` calls InvokeHarness on the
harness endpoint. Clients come from cached getters with a read timeout inside API Gateway's
30 s, so a slow agent becomes a clear 504 rather than a gateway timeout.
"""

from __future__ import annotations

import functools
import os

import boto3
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from pattern_core.collaborators import booking_service
from pattern_core.http import ChatOutcome, ChatTurn, build_chat_app
from pattern_h.engines import AgentCoreHarnessEngine, BedrockAgentEngine
from pattern_h.orchestration import AgentEngine, handle_turn

logger = Logger()
tracer = Tracer()

ENGINES = ("bedrock_agent", "agentcore")


def _client_config() -> Config:
    return Config(
        connect_timeout=3,
        # Below API Gateway's 30 s integration limit, with room for our own work.
        read_timeout=float(os.environ.get("AGENT_READ_TIMEOUT_SECONDS") or 25),
        retries={"max_attempts": 2, "mode": "standard"},
    )


@functools.cache
def agent_engine() -> AgentEngine:
    engine = os.environ.get("H_ENGINE", "bedrock_agent")
    if engine == "agentcore":
        return AgentCoreHarnessEngine(
            boto3.client("bedrock-agentcore", config=_client_config()),
            harness_arn=os.environ["HARNESS_ARN"],
            endpoint=os.environ.get("HARNESS_ENDPOINT") or "DEFAULT",
            gateway_url=os.environ["GATEWAY_URL"],
        )
    if engine != "bedrock_agent":
        raise ValueError(f"H_ENGINE must be one of {ENGINES}, not {engine!r}")
    return BedrockAgentEngine(
        boto3.client("bedrock-agent-runtime", config=_client_config()),
        agent_id=os.environ["AGENT_ID"],
        alias_id=os.environ["AGENT_ALIAS_ID"],
    )


@tracer.capture_method
def orchestrate(turn: ChatTurn) -> ChatOutcome:
    return handle_turn(turn, agent_engine(), booking_service())


app = build_chat_app("H", orchestrate)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
