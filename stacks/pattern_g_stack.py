"""Pattern G — multi-agent, multi-process: a manager Lambda invokes specialist Lambdas.

Three functions, three roles, each with exactly what its job needs:
- **manager** (behind the chat API): the sessions table, the OpenAI key, and
  `lambda:InvokeFunction` on the two specialist functions' ARNs — nothing else, and no access
  to the bookings table at all;
- **availability specialist**: `dynamodb:Query` on the bookings table (it can only look);
- **booking specialist**: the booking store's calls on the bookings table.
Only the manager's role may invoke the specialists (no resource policy opens them to anyone
else), which is why they can trust the caller identity in the payload.

AWS shape: HTTP API → manager Lambda → 2 specialist Lambdas (+ bookings table, sessions
table, OpenAI key secret, two layers).
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from pattern_core.agent_runtime.session_table import TABLE_NAME_ENV
from pattern_g.wiring import FUNCTION_ENV, SPECIALIST_HANDLERS
from stacks import timeouts
from stacks.constants import PatternSettings
from stacks.constructs.booking_table import BookingTable
from stacks.constructs.chat_api import ChatApi
from stacks.constructs.idempotency_table import IdempotencyTable
from stacks.constructs.layers import DependenciesLayer, SharedLayer
from stacks.constructs.openai_secret import OpenAiSecret
from stacks.constructs.pattern_function import PatternFunction, runtime_environment
from stacks.constructs.sessions_table import SessionsTable

AGENT_MEMORY_MB = 1024  # CPU scales with memory; importing the Agents SDK dominates cold start
# Below the manager's invoke read timeout, itself below the manager's own timeout.
SPECIALIST_TIMEOUT = Duration.seconds(timeouts.G_SPECIALIST_FUNCTION_SECONDS)
AVAILABILITY_TABLE_ACTIONS = ("dynamodb:Query",)  # check_availability is one Query


class PatternGStack(Stack):
    PATTERN_ID = "G"

    def __init__(self, scope: Construct, id_: str, **kwargs) -> None:
        kwargs.setdefault(
            "description", "AI orchestration patterns - G: multi-agent, multi-process"
        )
        super().__init__(scope, id_, **kwargs)
        settings = PatternSettings.from_context(self)

        table = BookingTable(self, "Bookings", retain_data=settings.retain_data)
        sessions = SessionsTable(self, "Sessions", retain_data=settings.retain_data)
        secret = OpenAiSecret(self, "OpenAiKey", secret_name=settings.openai_secret_name)
        layers = [
            SharedLayer(self, "SharedLayer").layer,
            DependenciesLayer(self, "DependenciesLayer").layer,
        ]
        environment = runtime_environment(
            settings, table_name=table.table_name, secret_arn=secret.secret_arn
        )

        self.specialists: dict[str, PatternFunction] = {}
        for key, handler in SPECIALIST_HANDLERS.items():
            specialist = PatternFunction(
                self,
                f"{key.title()}Specialist",
                pattern_id=self.PATTERN_ID,
                package="pattern_g",
                handler=handler,
                layers=layers,
                environment={
                    **environment,
                    timeouts.MODEL_CALL_ENV: str(timeouts.G_SPECIALIST_MODEL_CALL_SECONDS),
                },
                memory_size=AGENT_MEMORY_MB,
                timeout=SPECIALIST_TIMEOUT,
                description=f"Pattern G: the {key} specialist agent (invoked by the manager)",
                retain_logs=settings.retain_data,
            )
            secret.grant_read(specialist.function)
            self.specialists[key] = specialist
        iam.Grant.add_to_principal(
            grantee=self.specialists["availability"].function,
            actions=list(AVAILABILITY_TABLE_ACTIONS),
            resource_arns=[table.table.table_arn],
        )
        table.grant_booking_access(self.specialists["booking"].function)

        manager_environment = {
            **{k: v for k, v in environment.items() if k != "BOOKINGS_TABLE_NAME"},
            TABLE_NAME_ENV: sessions.table_name,
            timeouts.G_SPECIALIST_READ_ENV: str(timeouts.G_SPECIALIST_READ_SECONDS),
            **{
                FUNCTION_ENV[key]: specialist.invocable.function_arn
                for key, specialist in self.specialists.items()
            },
        }
        self.manager = PatternFunction(
            self,
            "Chat",
            pattern_id=self.PATTERN_ID,
            package="pattern_g",
            layers=layers,
            environment=manager_environment,
            memory_size=AGENT_MEMORY_MB,
            description="Pattern G: the manager agent behind POST /chat",
            retain_logs=settings.retain_data,
        )
        IdempotencyTable(self, "Idempotency", retain_data=settings.retain_data).serve(
            self.manager.function
        )
        sessions.grant_calls(self.manager.function)
        secret.grant_read(self.manager.function)
        # Exactly the two specialist functions (their `live` alias with SnapStart), by ARN
        # (grant_invoke would add `<arn>:*`).
        iam.Grant.add_to_principal(
            grantee=self.manager.function,
            actions=["lambda:InvokeFunction"],
            resource_arns=[s.invocable.function_arn for s in self.specialists.values()],
        )

        ChatApi(
            self,
            "ChatApi",
            handler=self.manager.invocable,
            public=settings.public,
            retain_logs=settings.retain_data,
        )
