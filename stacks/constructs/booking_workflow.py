"""Pattern C's workflow: the six step functions and the Express state machine that chains them.

The definition is one file, `stacks/asl/booking_workflow.asl.json`, deployed here with the
step functions' ARNs substituted and run locally (moto's interpreter) with their local
names: no second copy. Each step function gets only what its step needs: FindSlots may only
query the table, Book may only query and put, the two model steps alone read the OpenAI key.
The state machine may invoke exactly these six functions and logs no execution data.

Logical ids: the stack adds this construct with the id `Default`, which CDK leaves out of
logical ids, so the resources keep the ids they had when the stack built them inline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import Acknowledgment, Duration, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from settings import Settings, env_key
from stacks import timeouts
from stacks.constants import PROJECT_ROOT
from stacks.constructs.booking_table import BookingTable
from stacks.constructs.log_groups import log_group
from stacks.constructs.openai_secret import OpenAiSecret
from stacks.constructs.pattern_function import PatternFunction

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
    StepSpec("UnderstandStep", "UnderstandFunction", "steps.handle_understand", uses_model=True),
    StepSpec(
        "FindSlotsStep", "FindSlotsFunction", "steps.handle_find_slots", FIND_SLOTS_TABLE_ACTIONS
    ),
    StepSpec("ChooseSlotStep", "ChooseSlotFunction", "steps.handle_choose_slot"),
    StepSpec("BookStep", "BookFunction", "steps.handle_book", BOOK_TABLE_ACTIONS),
    StepSpec("WriteReplyStep", "WriteReplyFunction", "steps.handle_write_reply", uses_model=True),
    StepSpec("FailureReplyStep", "FailureReplyFunction", "steps.handle_failure_reply"),
)


def step_environment(environment: Mapping[str, str], *, uses_model: bool) -> dict[str, str]:
    """A step function's environment: a model step's one call must fit inside its function's
    deadline, with no client retries (Step Functions owns retrying); a code step has no model
    call to cap."""
    model_call = env_key("openai_timeout_seconds")
    if not uses_model:
        return {k: v for k, v in environment.items() if k != model_call}
    return environment | Settings.environment(
        openai_timeout_seconds=timeouts.C_MODEL_CALL_SECONDS, openai_max_retries=0
    )


class BookingWorkflow(Construct):
    """Six step functions (least-privilege each) and the logged, traced Express state machine
    that runs `DEFINITION_FILE` over them."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        pattern_id: str,
        table: BookingTable,
        secret: OpenAiSecret,
        layers: Sequence[lambda_.ILayerVersion],
        environment: Mapping[str, str],
        retain_data: bool = False,
    ) -> None:
        super().__init__(scope, id_)

        self.step_functions: dict[str, PatternFunction] = {}
        for step in STEPS:
            function = PatternFunction(
                self,
                step.construct_id,
                pattern_id=pattern_id,
                package="pattern_c",
                handler=step.handler,
                layers=layers,
                environment=step_environment(environment, uses_model=step.uses_model),
                memory_size=512 if step.uses_model else 256,
                timeout=MODEL_STEP_TIMEOUT if step.uses_model else CODE_STEP_TIMEOUT,
                retain_logs=retain_data,
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

        workflow_logs = log_group(self, "WorkflowLogs", retain=retain_data)
        self.state_machine = sfn.StateMachine(
            self,
            "Workflow",
            state_machine_type=sfn.StateMachineType.EXPRESS,
            # Inline in the template (no S3 asset), exactly the file the local runtime runs.
            definition_body=sfn.DefinitionBody.from_string(DEFINITION_FILE.read_text()),
            definition_substitutions={
                placeholder: function.invocable.function_arn
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
        # Exactly the six step functions (their `live` alias with SnapStart), by ARN
        # (grant_invoke would add `<arn>:*`).
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"],
                resources=[f.invocable.function_arn for f in self.step_functions.values()],
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

    @property
    def state_machine_arn(self) -> str:
        return self.state_machine.state_machine_arn

    def grant_start_sync_execution(self, grantee: iam.IGrantable) -> None:
        """What the chat function needs to run one workflow and wait for its answer."""
        self.state_machine.grant_start_sync_execution(grantee)
