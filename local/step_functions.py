"""Step Functions on this machine: `StartSyncExecution` played by moto's interpreter.

Pattern C's API Lambda calls `stepfunctions.start_sync_execution(...)` exactly as deployed.
Locally that call is answered here: the *same* definition file the stack deploys
(`stacks/asl/booking_workflow.asl.json`, `${...}` placeholders filled with function names
instead of ARNs) runs in moto's Step Functions interpreter. moto has no StartSyncExecution, so
it is CreateStateMachine + StartExecution + polling DescribeExecution, and the history is kept
for inspection.

Each Lambda task in the definition is invoked by the interpreter through an ordinary boto3
`lambda` client, which the local runtime's `lambda:Invoke` override answers by running the
real step handler in this process. Everything else goes over the wire as usual: moto only
intercepts AWS hostnames, so DynamoDB still reaches the local server on 127.0.0.1.

moto's mock is process-wide, so executions are serialised by one lock (like `patterns serve`,
which runs one request per pattern at a time) and the mock is active only while one runs.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from local.paths import PROJECT_ROOT
from settings import Settings
from stacks import timeouts

if TYPE_CHECKING:
    from local.runtime import LocalRuntime

DEFINITION_PATH = PROJECT_ROOT / "stacks" / "asl" / "booking_workflow.asl.json"
STATE_MACHINE_NAME = "pattern-c-booking-workflow"
STATE_MACHINE_ARN = f"arn:aws:states:us-east-1:000000000000:stateMachine:{STATE_MACHINE_NAME}"

# Definition placeholder -> (local function name, handler), as the PatternC stack wires them.
STEP_FUNCTIONS: dict[str, tuple[str, str]] = {
    "UnderstandFunction": ("pattern-c-understand", "pattern_c.steps:handle_understand"),
    "FindSlotsFunction": ("pattern-c-find-slots", "pattern_c.steps:handle_find_slots"),
    "ChooseSlotFunction": ("pattern-c-choose-slot", "pattern_c.steps:handle_choose_slot"),
    "BookFunction": ("pattern-c-book", "pattern_c.steps:handle_book"),
    "WriteReplyFunction": ("pattern-c-write-reply", "pattern_c.steps:handle_write_reply"),
    "FailureReplyFunction": ("pattern-c-failure-reply", "pattern_c.steps:handle_failure_reply"),
}

# The two model steps; the others are code (the PatternC stack sizes them the same way).
MODEL_STEP_FUNCTIONS = ("UnderstandFunction", "WriteReplyFunction")


def step_function_timeout(name: str) -> float:
    """A step function's configured timeout, by its local name (stacks/timeouts.py)."""
    model_steps = {STEP_FUNCTIONS[key][0] for key in MODEL_STEP_FUNCTIONS}
    if name in model_steps:
        return float(timeouts.C_MODEL_STEP_FUNCTION_SECONDS)
    return float(timeouts.C_CODE_STEP_FUNCTION_SECONDS)


_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
_MOTO_CONFIG = {
    "stepfunctions": {"execute_state_machine": True},
    # Keep boto3's default session (the local runtime's overrides live on it) and the
    # environment's credentials: only AWS hostnames are intercepted, nothing else changes.
    "core": {"reset_boto3_session": False, "mock_credentials": False},
}
_MOTO_ROLE = "arn:aws:iam::123456789012:role/pattern-c-state-machine"
_ONE_AT_A_TIME = threading.Lock()


def substitute(definition: str, values: Mapping[str, str]) -> str:
    """Fill `${Name}` placeholders the way CloudFormation's DefinitionSubstitutions does."""
    missing = sorted(set(_PLACEHOLDER.findall(definition)) - set(values))
    if missing:
        raise ValueError(f"no value for definition placeholders: {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], definition)


def local_definition(template: str | None = None) -> str:
    """The deployed definition with local function names in place of the ARNs."""
    text = template if template is not None else DEFINITION_PATH.read_text()
    return substitute(text, {key: name for key, (name, _) in STEP_FUNCTIONS.items()})


@dataclass
class Execution:
    """One finished execution, with moto's history of it."""

    status: str
    input: str
    output: str | None
    error: str | None
    cause: str | None
    started: dt.datetime
    stopped: dt.datetime
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def states_entered(self) -> list[str]:
        return [
            e["stateEnteredEventDetails"]["name"]
            for e in self.history
            if e["type"].endswith("StateEntered")
        ]

    @property
    def lambda_invocations(self) -> int:
        """Lambda tasks the interpreter started (each attempt, retries included)."""
        return sum(
            1
            for e in self.history
            if (
                e["type"] == "TaskScheduled"
                and e["taskScheduledEventDetails"]["resourceType"] == "lambda"
            )
            or e["type"] == "LambdaFunctionScheduled"
        )

    def event_counts(self) -> Counter[str]:
        return Counter(e["type"] for e in self.history)

    def sync_response(self, state_machine_arn: str, name: str) -> dict[str, Any]:
        """The execution as `StartSyncExecution` returns it. No billingDetails: moto does not
        bill, and a figure that is not measured is not reported."""
        response: dict[str, Any] = {
            "executionArn": state_machine_arn.replace(":stateMachine:", ":express:")
            + f":{name}:{uuid.uuid4()}",
            "stateMachineArn": state_machine_arn,
            "name": name,
            "startDate": self.started,
            "stopDate": self.stopped,
            "status": self.status,
            "input": self.input,
        }
        if self.output is not None:
            response["output"] = self.output
        if self.error is not None:
            response["error"] = self.error
        if self.cause is not None:
            response["cause"] = self.cause
        return response


def execute(definition: str, execution_input: str, *, timeout_s: float = 120.0) -> Execution:
    """Run `definition` to completion in moto's interpreter. Lambda tasks are invoked through
    boto3 — whoever answers `lambda:Invoke` (the local runtime, a test) runs them."""
    import boto3
    from moto import mock_aws
    from moto.core.models import botocore_stubber

    if boto3.DEFAULT_SESSION is not None:
        # moto hooks sessions created after it is imported; the local runtime's session is
        # older. The stubber answers only while a mock is active, and only AWS hostnames.
        boto3.DEFAULT_SESSION.events.register(
            "before-send", botocore_stubber, unique_id="patterns-moto-stubber"
        )
    with _ONE_AT_A_TIME, mock_aws(config=_MOTO_CONFIG):
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        machine = sfn.create_state_machine(
            name=f"{STATE_MACHINE_NAME}-{uuid.uuid4().hex[:8]}",
            definition=definition,
            roleArn=_MOTO_ROLE,
            type="EXPRESS",
        )["stateMachineArn"]
        started = dt.datetime.now(dt.UTC)
        arn = sfn.start_execution(stateMachineArn=machine, input=execution_input)["executionArn"]
        deadline = time.monotonic() + timeout_s
        while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
            if time.monotonic() > deadline:
                raise TimeoutError(f"local execution still running after {timeout_s}s")
            time.sleep(0.005)
        history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        return Execution(
            status=described["status"],
            input=execution_input,
            output=described.get("output"),
            error=described.get("error"),
            cause=described.get("cause"),
            started=started,
            stopped=dt.datetime.now(dt.UTC),
            history=history,
        )


class LocalStepFunctions:
    """Answers `sfn:StartSyncExecution` for the state machines it knows."""

    def __init__(self, definitions: Mapping[str, str]) -> None:
        self.definitions = dict(definitions)  # state machine ARN -> definition (JSON text)
        self.executions: list[Execution] = []

    def start_sync_execution(self, params: dict[str, Any]) -> dict[str, Any]:
        from local.aws_overrides import ServiceError

        arn = params["stateMachineArn"]
        definition = self.definitions.get(arn)
        if definition is None:
            raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: {arn}")
        execution_input = params.get("input") or "{}"
        try:
            json.loads(execution_input)
        except ValueError:
            raise ServiceError(
                "InvalidExecutionInput", "Invalid State Machine Execution Input"
            ) from None
        execution = execute(definition, execution_input)
        self.executions.append(execution)
        return execution.sync_response(arn, params.get("name") or str(uuid.uuid4()))


def setup_pattern_c(runtime: LocalRuntime) -> None:
    """Register pattern C's step Lambdas and play Step Functions for its API Lambda."""
    import os

    for name, handler in STEP_FUNCTIONS.values():
        runtime.register_function(name, handler, timeout_seconds=step_function_timeout(name))
    service = LocalStepFunctions({STATE_MACHINE_ARN: local_definition()})
    runtime.aws.override("sfn", "StartSyncExecution", service.start_sync_execution)
    os.environ.update(Settings.environment(state_machine_arn=STATE_MACHINE_ARN))


__all__ = [
    "DEFINITION_PATH",
    "STEP_FUNCTIONS",
    "Execution",
    "LocalStepFunctions",
    "execute",
    "local_definition",
    "setup_pattern_c",
    "step_function_timeout",
    "substitute",
]
