"""Pattern G's manager Lambda: the HTTP contract around `orchestration.handle_turn`.

It reads the schedule, the sessions table and the specialists' function names from its
environment; it has no access to the bookings table — only the specialists do.
"""

from __future__ import annotations

import boto3
from botocore.exceptions import ReadTimeoutError

from pattern_core.agent_runtime.runtime import run_sync
from pattern_core.collaborators import conversation_store, per_container, schedule
from pattern_core.contract.entry import chat_handler
from pattern_core.contract.turn import ChatOutcome, ChatTurn
from pattern_core.deadline import Deadline, single_attempt_config
from pattern_g.orchestration import InvokeSpecialist, handle_turn, lambda_invoker
from pattern_g.wiring import FUNCTION_SETTING
from settings import Settings


def specialist_read_timeout() -> float:
    """How long the manager waits for one specialist at most: above the specialists' function
    timeout and below the manager's own (stacks/timeouts.py)."""
    return Settings.from_env().specialist_read_timeout_seconds


@per_container
def lambda_client(read_timeout: float):
    # No SDK retries: a timed-out invoke may still have booked; the model hears the error.
    # One client per read timeout (the turn's time left, in half seconds).
    return boto3.client("lambda", config=single_attempt_config(read_timeout))


SPECIALIST_TIMED_OUT = {
    "error": {
        "code": "specialist_timeout",
        "message": "The specialist did not answer in time; it may still have acted, so check "
        "the bookings before trying again.",
    }
}


def deadline_invoker(deadline: Deadline) -> InvokeSpecialist:
    """Invoke a specialist for at most its cap or the turn's time left, whichever is less, and
    tell it that time in the payload, so it answers (and reports) before the manager stops
    waiting. Out of time, the turn ends with 504 `deadline_exceeded`."""

    def invoke(function_name: str, payload: dict) -> dict:
        read_timeout = deadline.client_timeout(specialist_read_timeout(), "a specialist")
        payload = {**payload, "seconds_left": read_timeout}
        try:
            with deadline.bounding("a specialist"):
                return lambda_invoker(lambda_client(read_timeout))(function_name, payload)
        except ReadTimeoutError:  # its own cap, with turn time still left: tell the model
            return SPECIALIST_TIMED_OUT

    return invoke


def specialist_functions() -> dict[str, str]:
    return {key: Settings.from_env().required(name) for key, name in FUNCTION_SETTING.items()}


def orchestrate(turn: ChatTurn) -> ChatOutcome:
    conversation = conversation_store().conversation("G", turn.session_id, turn.user_id)
    return run_sync(
        handle_turn(
            turn,
            schedule(),
            specialist_functions(),
            deadline_invoker(turn.deadline),
            conversation,
        )
    )


app, handler = chat_handler(
    "G",
    orchestrate,
    warm=[conversation_store, lambda: lambda_client(specialist_read_timeout())],
)
