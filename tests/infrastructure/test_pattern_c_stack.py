"""PatternC's template: an Express state machine from the one definition file, and step
functions that may each do only what their step needs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from local.step_functions import DEFINITION_PATH, STEP_FUNCTIONS
from tests.infrastructure.conftest import Synthesized, synthesized

STEP_HANDLERS = {
    "UnderstandFunction": "pattern_c.steps.handle_understand",
    "FindSlotsFunction": "pattern_c.steps.handle_find_slots",
    "ChooseSlotFunction": "pattern_c.steps.handle_choose_slot",
    "BookFunction": "pattern_c.steps.handle_book",
    "WriteReplyFunction": "pattern_c.steps.handle_write_reply",
    "FailureReplyFunction": "pattern_c.steps.handle_failure_reply",
}


class PatternC:
    def __init__(self, synthesized: Synthesized) -> None:
        self.synthesized = synthesized
        self.assembly = synthesized.assembly
        self.stack = synthesized.stack
        self.template = synthesized.template
        self.json = synthesized.json
        self.resources = self.json["Resources"]

    def of_type(self, resource_type: str) -> dict[str, dict]:
        return {k: v for k, v in self.resources.items() if v["Type"] == resource_type}

    @property
    def machine(self) -> dict:
        (machine,) = self.of_type("AWS::StepFunctions::StateMachine").values()
        return machine["Properties"]

    def function_id(self, handler: str) -> str:
        (logical_id,) = [
            k
            for k, v in self.of_type("AWS::Lambda::Function").items()
            if v["Properties"]["Handler"] == handler
        ]
        return logical_id

    def statements_of_function(self, handler: str) -> list[dict]:
        return self.statements_of_role(self.synthesized.role_of(self.function_id(handler)))

    def statements_of_role(self, role_id: str) -> list[dict]:
        return self.synthesized.statements_of(role_id)


@pytest.fixture(scope="module")
def pattern_c() -> PatternC:
    return PatternC(synthesized("PatternC"))


def _actions(statements: list[dict], prefix: str) -> set[str]:
    return {
        action
        for s in statements
        for action in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
        if action.startswith(prefix)
    }


def test_the_workflow_is_an_express_state_machine_with_logs_and_tracing(pattern_c):
    machine = pattern_c.machine

    assert machine["StateMachineType"] == "EXPRESS"
    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    assert machine["LoggingConfiguration"]["IncludeExecutionData"] is False


def test_the_deployed_definition_is_the_one_file_the_local_runtime_runs(pattern_c):
    assert pattern_c.machine["DefinitionString"] == DEFINITION_PATH.read_text()


def test_each_placeholder_is_the_arn_of_the_function_running_that_step(pattern_c):
    substitutions = pattern_c.machine["DefinitionSubstitutions"]

    assert set(substitutions) == set(STEP_FUNCTIONS) == set(STEP_HANDLERS)
    for placeholder, handler in STEP_HANDLERS.items():
        assert substitutions[placeholder] == {"Fn::GetAtt": [pattern_c.function_id(handler), "Arn"]}
        # and the local runtime (and the integration tests) run that handler for it
        assert STEP_FUNCTIONS[placeholder][1] == handler.replace(".steps.", ".steps:")


def test_every_task_retries_transient_lambda_errors_times_out_and_is_caught(pattern_c):
    states = json.loads(pattern_c.machine["DefinitionString"])["States"]
    tasks = {name: s for name, s in states.items() if s["Type"] == "Task"}

    assert len(tasks) == 6
    for name, task in tasks.items():
        (retry,) = task["Retry"]
        assert "Lambda.ServiceException" in retry["ErrorEquals"]
        assert "Lambda.TooManyRequestsException" in retry["ErrorEquals"]
        assert retry["BackoffRate"] > 1 and retry["MaxAttempts"] >= 1
        assert 0 < task["TimeoutSeconds"] <= 13
        if name != "FailureReply":
            (catch,) = task["Catch"]
            assert catch["ErrorEquals"] == ["States.ALL"] and catch["Next"] == "FailureReply"
    assert "Catch" not in tasks["FailureReply"]


def test_a_choice_skips_choosing_and_booking_when_nothing_is_bookable(pattern_c):
    states = json.loads(pattern_c.machine["DefinitionString"])["States"]

    choice = states[states["FindSlots"]["Next"]]
    assert choice["Type"] == "Choice"
    assert choice["Choices"] == [
        {"Variable": "$.bookable", "BooleanEquals": True, "Next": "ChooseSlot"}
    ]
    assert choice["Default"] == "WriteReply"


def test_the_step_timeouts_fit_inside_api_gateways_30_seconds(pattern_c):
    definition = json.loads(pattern_c.machine["DefinitionString"])
    functions = pattern_c.of_type("AWS::Lambda::Function").values()

    assert definition["TimeoutSeconds"] < 29
    for function in functions:
        assert function["Properties"]["Timeout"] <= 29


def test_find_slots_may_only_query_the_table(pattern_c):
    statements = pattern_c.statements_of_function("pattern_c.steps.handle_find_slots")

    assert _actions(statements, "dynamodb:") == {"dynamodb:Query"}
    assert not _actions(statements, "secretsmanager:")


def test_book_may_only_use_the_ledger_put_and_query_and_reads_no_secret(pattern_c):
    statements = pattern_c.statements_of_function("pattern_c.steps.handle_book")

    assert _actions(statements, "dynamodb:") == {
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
    }
    assert not _actions(statements, "secretsmanager:")


@pytest.mark.parametrize(
    "handler",
    [
        "pattern_c.steps.handle_understand",
        "pattern_c.steps.handle_choose_slot",
        "pattern_c.steps.handle_write_reply",
        "pattern_c.steps.handle_failure_reply",
        "pattern_c.handler.handler",
    ],
)
def test_steps_without_a_table_step_cannot_touch_the_table(pattern_c, handler):
    statements = pattern_c.statements_of_function(handler)
    # The API function's only table is its idempotency table (test_edge_stacks.py).
    bookings = [s for s in statements if "Idempotency" not in str(s["Resource"])]
    assert not _actions(bookings, "dynamodb:")


def test_only_the_two_model_steps_may_read_the_openai_key(pattern_c):
    readers = {
        handler
        for handler in (*STEP_HANDLERS.values(), "pattern_c.handler.handler")
        if _actions(pattern_c.statements_of_function(handler), "secretsmanager:")
    }
    assert readers == {"pattern_c.steps.handle_understand", "pattern_c.steps.handle_write_reply"}


def test_the_api_function_may_only_start_this_state_machine_synchronously(pattern_c):
    statements = pattern_c.statements_of_function("pattern_c.handler.handler")
    (machine_id,) = pattern_c.of_type("AWS::StepFunctions::StateMachine")
    api = pattern_c.resources[pattern_c.function_id("pattern_c.handler.handler")]

    (start,) = [s for s in statements if _actions([s], "states:")]
    assert start["Action"] == "states:StartSyncExecution"
    assert start["Resource"] == {"Ref": machine_id}
    assert api["Properties"]["Environment"]["Variables"]["STATE_MACHINE_ARN"] == {"Ref": machine_id}


def test_the_state_machine_may_invoke_exactly_the_six_step_functions(pattern_c):
    role_id = pattern_c.machine["RoleArn"]["Fn::GetAtt"][0]
    (invoke,) = [s for s in pattern_c.statements_of_role(role_id) if _actions([s], "lambda:")]

    assert invoke["Action"] == "lambda:InvokeFunction"
    assert sorted(r["Fn::GetAtt"][0] for r in invoke["Resource"]) == sorted(
        pattern_c.function_id(h) for h in STEP_HANDLERS.values()
    )


def test_chat_api_fronts_the_api_function_with_iam_auth(pattern_c):
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]["AuthorizationType"]
        for r in pattern_c.of_type("AWS::ApiGatewayV2::Route").values()
    }
    assert routes == {"GET /health": "AWS_IAM", "POST /chat": "AWS_IAM"}


def test_function_code_is_only_the_pattern_c_package(pattern_c):
    for function in pattern_c.of_type("AWS::Lambda::Function").values():
        asset = Path(pattern_c.assembly.directory) / function["Metadata"]["aws:asset:path"]
        assert sorted(p.name for p in asset.iterdir()) == ["pattern_c"]
