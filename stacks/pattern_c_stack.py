"""Pattern C — workflow, multi-process: the same fixed steps as an Express state machine.

Each step of `pattern_core.workflow` is its own Lambda; an Express Step Functions state
machine chains them — a Choice skips choosing and booking when nothing is bookable, every task
retries transient Lambda errors with backoff, has a timeout and is caught into the failure
reply. A small API Lambda behind the chat API starts it with `StartSyncExecution` and answers
inside API Gateway's 30 s, so the HTTP contract is pattern B's exactly. (The HTTP API's own
Step Functions integration could start the execution, but it cannot shape the /chat body or
the identity the workflow receives, so the API Lambda stays.)

The definition is one file, `stacks/asl/booking_workflow.asl.json`, deployed here with the
step functions' ARNs substituted and run locally (moto's interpreter) with their local
names: no second copy. Each step function gets only what its step needs: FindSlots may only
query the table, Book may only query and put, the two model steps alone read the OpenAI key.

AWS shape: HTTP API → API Lambda → Express state machine → 6 step Lambdas
(+ bookings table, OpenAI key secret, two layers).
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from stacks import timeouts
from stacks.constants import LOG_RETENTION, PROJECT_ROOT, PatternSettings
from stacks.constructs.booking_table import BookingTable
from stacks.constructs.chat_api import ChatApi
from stacks.constructs.idempotency_table import IdempotencyTable
from stacks.constructs.layers import DependenciesLayer, SharedLayer
from stacks.constructs.openai_secret import OpenAiSecret
from stacks.constructs.pattern_function import PatternFunction, runtime_environment

DEFINITION_FILE = PROJECT_ROOT / "stacks" / "asl" / "booking_workflow.asl.json"

# What the booking store calls for each step (see booking.store): finding slots is one
# Query; booking reads the caller's ledger (GetItem, also for the slot's holder), reserves the
# start time (conditional UpdateItem), puts the slot (conditional PutItem) and, if the slot is
# gone, releases the reservation (UpdateItem) and Queries for alternatives.
FIND_SLOTS_TABLE_ACTIONS = ("dynamodb:Query",)
BOOK_TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:UpdateItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
)

# Each below its task's TimeoutSeconds in the definition (stacks/timeouts.py has the chain), so
# a step ends by its own deadline and the Catch reports why, instead of Step Functions giving
# up on a function that is still running.
MODEL_STEP_TIMEOUT = Duration.seconds(timeouts.C_MODEL_STEP_FUNCTION_SECONDS)
CODE_STEP_TIMEOUT = Duration.seconds(timeouts.C_CODE_STEP_FUNCTION_SECONDS)


@dataclass(frozen=True)
class StepSpec:
    construct_id: str
    placeholder: str  # `${...}` in the definition file
    handler: str  # in lambdas/pattern_c/steps.py
    table_actions: tuple[str, ...] = ()
    uses_model: bool = False


STEPS = (
    StepSpec("UnderstandStep", "UnderstandFunction", "steps.understand", uses_model=True),
    StepSpec("FindSlotsStep", "FindSlotsFunction", "steps.find_slots", FIND_SLOTS_TABLE_ACTIONS),
    StepSpec("ChooseSlotStep", "ChooseSlotFunction", "steps.choose_slot"),
    StepSpec("BookStep", "BookFunction", "steps.book", BOOK_TABLE_ACTIONS),
    StepSpec("WriteReplyStep", "WriteReplyFunction", "steps.write_reply", uses_model=True),
    StepSpec("FailureReplyStep", "FailureReplyFunction", "steps.failure_reply"),
)


def step_environment(environment: dict[str, str], *, uses_model: bool) -> dict[str, str]:
    """A step function's environment: a model step's one call must fit inside its function's
    deadline, with no client retries (Step Functions owns retrying); a code step has no model
    call to cap."""
    if not uses_model:
        return {k: v for k, v in environment.items() if k != timeouts.MODEL_CALL_ENV}
    return {
        **environment,
        timeouts.MODEL_CALL_ENV: str(timeouts.C_MODEL_CALL_SECONDS),
        timeouts.MODEL_RETRIES_ENV: "0",
    }


class PatternCStack(Stack):
    """Composes the table, secret, layers, step functions, state machine and chat API."""

    PATTERN_ID = "C"

    def __init__(self, scope: Construct, id_: str, **kwargs) -> None:
        kwargs.setdefault("description", "AI orchestration patterns - C: workflow, multi-process")
        super().__init__(scope, id_, **kwargs)
        settings = PatternSettings.from_context(self)

        table = BookingTable(self, "Bookings", retain_data=settings.retain_data)
        secret = OpenAiSecret(self, "OpenAiKey", secret_name=settings.openai_secret_name)
        layers = [
            SharedLayer(self, "SharedLayer").layer,
            DependenciesLayer(self, "DependenciesLayer").layer,
        ]
        environment = runtime_environment(
            settings, table_name=table.table_name, secret_arn=secret.secret_arn
        )

        self.step_functions: dict[str, PatternFunction] = {}
        for step in STEPS:
            function = PatternFunction(
                self,
                step.construct_id,
                pattern_id=self.PATTERN_ID,
                package="pattern_c",
                handler=step.handler,
                layers=layers,
                environment=step_environment(environment, uses_model=step.uses_model),
                memory_size=512 if step.uses_model else 256,
                timeout=MODEL_STEP_TIMEOUT if step.uses_model else CODE_STEP_TIMEOUT,
                retain_logs=settings.retain_data,
            )
            if step.table_actions:
                iam.Grant.add_to_principal(
                    grantee=function.function,
                    actions=list(step.table_actions),
                    resource_arns=[table.table.table_arn],
                )
            if step.uses_model:
                secret.grant_read(function.function)
            self.step_functions[step.placeholder] = function

        workflow_logs = logs.LogGroup(
            self,
            "WorkflowLogs",
            retention=LOG_RETENTION,
            removal_policy=(
                RemovalPolicy.RETAIN if settings.retain_data else RemovalPolicy.DESTROY
            ),
        )
        self.state_machine = sfn.StateMachine(
            self,
            "Workflow",
            state_machine_type=sfn.StateMachineType.EXPRESS,
            # Inline in the template (no S3 asset), exactly the file the local runtime runs.
            definition_body=sfn.DefinitionBody.from_string(DEFINITION_FILE.read_text()),
            definition_substitutions={
                placeholder: function.function.function_arn
                for placeholder, function in self.step_functions.items()
            },
            logs=sfn.LogOptions(
                destination=workflow_logs,
                level=sfn.LogLevel.ALL,
                # Execution data holds people's messages and bookings: keep it out of logs.
                include_execution_data=False,
            ),
            tracing_enabled=True,
        )
        # Exactly the six step functions, by ARN (grant_invoke would add `<arn>:*`).
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"],
                resources=[f.function.function_arn for f in self.step_functions.values()],
            )
        )
        Validations.of(self.state_machine.role).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason=(
                    "Only the CloudWatch Logs delivery actions (logs:CreateLogDelivery, "
                    "GetLogDelivery, ListLogDeliveries, …, which Step Functions logging needs) "
                    "and X-Ray's PutTraceSegments/PutTelemetryRecords/GetSampling* use "
                    "Resource '*': these APIs support no resource-level permissions."
                ),
            )
        )

        chat = PatternFunction(
            self,
            "Chat",
            pattern_id=self.PATTERN_ID,
            package="pattern_c",
            layers=layers,
            environment={
                "STATE_MACHINE_ARN": self.state_machine.state_machine_arn,
                "AUTH_MODE": settings.auth_mode,
                # Above the execution's TimeoutSeconds, below this function's own timeout.
                timeouts.C_EXECUTION_READ_ENV: str(timeouts.C_EXECUTION_READ_SECONDS),
            },
            retain_logs=settings.retain_data,
        )
        IdempotencyTable(self, "Idempotency", retain_data=settings.retain_data).serve(chat.function)
        self.state_machine.grant_start_sync_execution(chat.function)

        ChatApi(
            self,
            "ChatApi",
            handler=chat.function,
            public=settings.public,
            retain_logs=settings.retain_data,
        )
