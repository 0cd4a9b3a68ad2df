"""Pattern G's manager Lambda: the HTTP contract around `orchestration.handle_turn`.

It reads the schedule, the sessions table and the specialists' function names from its
environment; it has no access to the bookings table — only the specialists do.
"""

from __future__ import annotations

import functools
import os

import boto3
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from booking.schedule import Schedule
from pattern_core.agent_runtime import run_sync
from pattern_core.collaborators import conversation_store
from pattern_core.http import ChatOutcome, ChatTurn, build_chat_app
from pattern_g.orchestration import handle_turn, lambda_invoker
from pattern_g.wiring import FUNCTION_ENV

logger = Logger()
tracer = Tracer()


@functools.cache
def lambda_client():
    # No SDK retries: a timed-out invoke may still have booked; the model hears the error.
    # Read timeout above the specialists' own 20 s function timeout.
    return boto3.client(
        "lambda",
        config=Config(read_timeout=25, connect_timeout=3, retries={"total_max_attempts": 1}),
    )


def specialist_functions() -> dict[str, str]:
    return {key: os.environ[name] for key, name in FUNCTION_ENV.items()}


@tracer.capture_method
def orchestrate(turn: ChatTurn) -> ChatOutcome:
    conversation = conversation_store().conversation("G", turn.session_id, turn.user_id)
    return run_sync(
        handle_turn(
            turn,
            Schedule.from_env(),
            specialist_functions(),
            lambda_invoker(lambda_client()),
            conversation,
        )
    )


app = build_chat_app("G", orchestrate)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
