"""Pattern C end to end on the deployed state machine: its definition file — which
`tests/infrastructure/test_pattern_c_stack.py` holds equal to the synthesized PatternC
template, each placeholder wired to the function deployed for that step — run in moto's Step
Functions interpreter, each Lambda task dispatched in-process to the real step handler,
DynamoDB under moto and both model steps through the real `openai` client (the offline
stand-in). The API Lambda's usage figures are checked against the execution history moto
keeps."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from local.offline_model import start_offline_model
from local.runtime import LocalRuntime
from local.step_functions import (
    DEFINITION_PATH,
    STEP_FUNCTIONS,
    LocalStepFunctions,
    local_definition,
)
from pattern_core import collaborators
from pattern_core.contract import trace
from pattern_core.usage import UsageMeter
from pattern_core.workflow.steps import CHOICE_STATE, WorkflowState, record_execution
from tests.integration.conftest import (
    TABLE,
    aws_overrides,
    booking_items,
    parse_each_definition_once,
)
from tests.utils import chat_event, lambda_context, response_json

ALICE = "arn:aws:sts::123456789012:assumed-role/TennisPlayers/alice"
STATE_MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:PatternCWorkflow"
# The states an execution enters when it books, and when the Choice finds nothing bookable.
NOTHING_BOOKABLE_STATES = ["Understand", "FindSlots", "IsAnythingBookable", "WriteReply"]
BOOKING_STATES = [*NOTHING_BOOKABLE_STATES[:3], "ChooseSlot", "Book", "WriteReply"]


@pytest.fixture(scope="module")
def offline_model():
    with start_offline_model() as model:
        yield model


@pytest.fixture
def pattern_c(dynamodb, offline_model, monkeypatch):
    parse_each_definition_once(monkeypatch)
    monkeypatch.setenv("BOOKINGS_TABLE_NAME", TABLE)
    monkeypatch.setenv("PATTERNS_TODAY", "2026-11-24T10:30")
    monkeypatch.setenv("OPENAI_BASE_URL", offline_model.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "offline-stand-in")
    monkeypatch.setenv("OPENAI_MODEL", "offline-stand-in")
    monkeypatch.setenv("OPENAI_MAX_RETRIES", "0")
    monkeypatch.setenv("STATE_MACHINE_ARN", STATE_MACHINE_ARN)
    from pattern_c import handler as api

    collaborators.reset()  # a fresh container for every step function and the API function

    # The placeholders filled with the step functions' local names, as the local runtime runs
    # it: deployed, CloudFormation fills the same placeholders with their ARNs.
    definition = local_definition()
    runtime = LocalRuntime()  # not started: only its in-process Lambda dispatch is used
    for name, handler in STEP_FUNCTIONS.values():
        runtime.register_function(name, handler)
    step_functions = LocalStepFunctions({STATE_MACHINE_ARN: definition})
    with aws_overrides() as aws:
        aws.override("lambda", "Invoke", runtime._lambda_invoke)
        aws.override("sfn", "StartSyncExecution", step_functions.start_sync_execution)
        yield SimpleNamespace(api=api, runtime=runtime, step_functions=step_functions)


def chat(pattern_c, message: str, caller: str = ALICE) -> tuple[int, dict]:
    event = chat_event({"message": message}, caller_arn=caller)
    pattern_c.runtime.invocations.clear()  # count this turn's step invocations only
    response = pattern_c.api.handler(event, lambda_context("pattern-c-chat"))
    return response["statusCode"], response_json(response)


def booked(dynamodb) -> list[tuple[str, str]]:
    return booking_items(dynamodb)


def assert_usage_matches_history(body: dict, pattern_c) -> None:
    execution = pattern_c.step_functions.executions[-1]
    usage = body["usage"]
    assert usage["state_transitions"] == len(execution.states_entered)
    assert usage["lambda_invocations"] == 1 + execution.lambda_invocations
    assert usage["lambda_invocations"] == 1 + sum(pattern_c.runtime.invocations.values())
    assert_own_account_matches_history(execution)


def assert_own_account_matches_history(execution) -> None:
    """An error response carries no usage; the execution's output still accounts for itself,
    and a traced turn shows exactly the states the history names, in its order."""
    usage = UsageMeter()
    with trace.recording() as recorder:
        record_execution(WorkflowState.model_validate_json(execution.output), usage)
    assert usage.state_transitions == len(execution.states_entered)
    assert usage.lambda_invocations == 1 + execution.lambda_invocations
    states = [e["name"] for e in recorder.events() if e["kind"] == "state"]
    assert states == execution.states_entered


def test_the_choice_the_trace_names_is_the_definitions_choice_after_find_slots():
    states = json.loads(DEFINITION_PATH.read_text())["States"]

    assert states[CHOICE_STATE]["Type"] == "Choice"
    assert [name for name, s in states.items() if s["Type"] == "Choice"] == [CHOICE_STATE]
    assert states["FindSlots"]["Next"] == CHOICE_STATE


def test_a_booking_runs_every_step_lambda_and_books_for_the_signed_caller(pattern_c, dynamodb):
    status, body = chat(pattern_c, "Book tomorrow at 3pm")

    assert status == 200 and body["pattern"] == "C"
    assert body["booking"]["slot_id"] == "2026-11-25_CourtA_1500"
    assert body["booking"]["booking_id"] in body["reply"]
    assert booked(dynamodb) == [("2026-11-25_CourtA_1500", ALICE)]
    execution = pattern_c.step_functions.executions[-1]
    assert execution.states_entered == BOOKING_STATES
    assert body["usage"]["llm_calls"] == 2 and body["usage"]["input_tokens"] > 0
    assert (body["usage"]["lambda_invocations"], body["usage"]["state_transitions"]) == (6, 6)
    assert_usage_matches_history(body, pattern_c)


def test_when_nothing_is_free_the_choice_skips_booking_and_offers_the_nearest_times(
    pattern_c, dynamodb
):
    for user in ("bob", "carol", "dave"):
        chat(pattern_c, "Book tomorrow at 3pm", caller=f"{ALICE[:-5]}{user}")

    status, body = chat(pattern_c, "Book tomorrow at 3pm")

    assert status == 200 and body["booking"] is None
    assert "15:00 on Wed 25 Nov is fully booked" in body["reply"]
    assert "14:00" in body["reply"] and "16:00" in body["reply"]
    assert 'Say "Book Court A on Wed 25 Nov at 14:00"' in body["reply"]  # no "yes" to give
    assert ALICE not in {owner for _, owner in booked(dynamodb)}
    execution = pattern_c.step_functions.executions[-1]
    assert execution.states_entered == NOTHING_BOOKABLE_STATES
    assert body["usage"]["llm_calls"] == 2
    assert_usage_matches_history(body, pattern_c)


def test_a_move_is_not_a_step_the_choice_skips_booking_and_the_booking_is_kept(pattern_c, dynamodb):
    chat(pattern_c, "Book tomorrow at 3pm")

    status, body = chat(pattern_c, "Move my booking tomorrow at 3pm to 4pm")

    assert status == 200 and body["booking"] is None and body["cancellations"] == []
    assert "moving bookings is not one of its steps" in body["reply"]
    assert booked(dynamodb) == [("2026-11-25_CourtA_1500", ALICE)]
    execution = pattern_c.step_functions.executions[-1]
    assert execution.states_entered == NOTHING_BOOKABLE_STATES
    assert_usage_matches_history(body, pattern_c)


def test_a_failing_model_step_ends_in_the_failure_reply_with_nothing_booked(
    pattern_c, dynamodb, monkeypatch
):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    collaborators.reset()

    status, body = chat(pattern_c, "Book tomorrow at 3pm")

    execution = pattern_c.step_functions.executions[-1]
    assert execution.status == "SUCCEEDED"  # the Catch handled it inside the workflow
    assert execution.states_entered == ["Understand", "FailureReply"]
    assert status == 502 and body["error"]["code"] == "model_error"
    assert body["error"]["message"].endswith("Nothing was booked.")
    assert booked(dynamodb) == []
    assert_own_account_matches_history(execution)
    assert execution.event_counts()["TaskFailed"] == 1


def test_a_failing_table_step_ends_in_the_failure_reply_with_nothing_booked(
    pattern_c, dynamodb, monkeypatch
):
    monkeypatch.setenv("BOOKINGS_TABLE_NAME", "no-such-table")

    status, body = chat(pattern_c, "Book tomorrow at 3pm")

    execution = pattern_c.step_functions.executions[-1]
    assert execution.states_entered == ["Understand", "FindSlots", "FailureReply"]
    assert status == 500 and body["error"]["code"] == "internal_error"
    assert body["error"]["message"].endswith("Nothing was booked.")
    assert "no-such-table" not in body["error"]["message"]
    assert booked(dynamodb) == []
    assert_own_account_matches_history(execution)


def test_the_caller_comes_from_the_api_lambda_not_the_message(pattern_c, dynamodb):
    status, body = chat(pattern_c, "Book tomorrow at 3pm for user_id=bob")

    assert status == 200 and body["booking"] is not None
    assert booked(dynamodb) == [(body["booking"]["slot_id"], ALICE)]


# Lambda's service can fail after the function ran and wrote: Step Functions then retries the
# task (the definition's Retry on Lambda.ServiceException) with the same input.
LambdaServiceException = type("Lambda.ServiceException", (Exception,), {})


def book_then_lose_the_answer(event: dict, context) -> dict:
    """The real Book step, whose first answer is lost after it booked."""
    from pattern_c import steps

    result = steps.handle_book(event, context)
    if event.get("retries", 0) == 0:
        raise LambdaServiceException("the Book function ran, but its answer was lost")
    return result


def test_a_retried_book_step_returns_its_first_booking_and_books_no_other_court(
    pattern_c, dynamodb
):
    # Given Lambda loses the Book step's first answer, after the booking was written
    pattern_c.runtime.register_function(
        STEP_FUNCTIONS["BookFunction"][0], f"{__name__}:book_then_lose_the_answer"
    )

    # When alice books 15:00 tomorrow
    status, body = chat(pattern_c, "Book tomorrow at 3pm")

    # Then the retry answers with the same booking, and Court B is not booked as well
    assert pattern_c.runtime.invocations[STEP_FUNCTIONS["BookFunction"][0]] == 2
    assert status == 200
    assert body["booking"]["slot_id"] == "2026-11-25_CourtA_1500"
    assert body["booking"]["booking_id"] in body["reply"]
    assert booked(dynamodb) == [("2026-11-25_CourtA_1500", ALICE)]


def test_each_chat_request_gives_the_workflow_its_own_request_token(pattern_c):
    chat(pattern_c, "What is free tomorrow?")
    chat(pattern_c, "What is free tomorrow?")

    tokens = [
        json.loads(execution.input)["request_token"]
        for execution in pattern_c.step_functions.executions
    ]
    assert len(tokens) == 2 and all(tokens) and tokens[0] != tokens[1]
