"""Pattern C — workflow, multi-process: the same fixed steps as an Express state machine.

Each step of `pattern_core.workflow.steps` is its own Lambda; an Express Step Functions state
machine chains them — a Choice skips choosing and booking when nothing is bookable, every task
retries transient Lambda errors with backoff, has a timeout and is caught into the failure
reply. A small API Lambda behind the chat API starts it with `StartSyncExecution` and answers
inside API Gateway's 30 s, so the HTTP contract is pattern B's exactly. (The HTTP API's own
Step Functions integration could start the execution, but it cannot shape the /chat body or
the identity the workflow receives, so the API Lambda stays.)

The workflow (the step functions and the state machine over `stacks/asl/booking_workflow.asl.json`,
the same file the local runtime runs) is `stacks.constructs.booking_workflow`; this stack only
composes it with the table, the secret, the layers and the chat API.

AWS shape: HTTP API → API Lambda → Express state machine → 6 step Lambdas
(+ bookings table, OpenAI key secret, two layers).
"""

from __future__ import annotations

from aws_cdk import Stack
from constructs import Construct

from stacks import timeouts
from stacks.constants import PatternSettings
from stacks.constructs.booking_table import BookingTable
from stacks.constructs.booking_workflow import BookingWorkflow
from stacks.constructs.chat_api import ChatApi
from stacks.constructs.idempotency_table import IdempotencyTable
from stacks.constructs.layers import DependenciesLayer, SharedLayer
from stacks.constructs.openai_secret import OpenAiSecret
from stacks.constructs.pattern_function import PatternFunction, runtime_environment


class PatternCStack(Stack):
    """Composes the table, secret, layers, workflow, chat function and chat API."""

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

        # `Default`: CDK leaves it out of logical ids, so the workflow's resources keep the
        # ids they had before it became a construct (no replacement on the next deploy).
        self.workflow = BookingWorkflow(
            self,
            "Default",
            pattern_id=self.PATTERN_ID,
            table=table,
            secret=secret,
            layers=layers,
            environment=environment,
            retain_data=settings.retain_data,
        )

        chat = PatternFunction(
            self,
            "Chat",
            pattern_id=self.PATTERN_ID,
            package="pattern_c",
            layers=layers,
            environment={
                "STATE_MACHINE_ARN": self.workflow.state_machine_arn,
                "AUTH_MODE": settings.auth_mode,
                # Above the execution's TimeoutSeconds, below this function's own timeout.
                timeouts.C_EXECUTION_READ_ENV: str(timeouts.C_EXECUTION_READ_SECONDS),
            },
            retain_logs=settings.retain_data,
        )
        IdempotencyTable(self, "Idempotency", retain_data=settings.retain_data).serve(chat.function)
        self.workflow.grant_start_sync_execution(chat.function)

        ChatApi(
            self,
            "ChatApi",
            handler=chat.invocable,
            public=settings.public,
            retain_logs=settings.retain_data,
        )
