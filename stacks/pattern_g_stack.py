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

from aws_cdk import Duration
from aws_cdk import aws_iam as iam

from pattern_g.wiring import FUNCTION_SETTING, SPECIALIST_HANDLERS
from settings import Settings, env_key
from stacks import timeouts
from stacks.constants import AGENTS_SDK_MEMORY_MB
from stacks.constructs.pattern_function import PatternFunction
from stacks.pattern_stack import PatternStack

# Below the manager's invoke read timeout, itself below the manager's own timeout.
SPECIALIST_TIMEOUT = Duration.seconds(timeouts.G_SPECIALIST_FUNCTION_SECONDS)
AVAILABILITY_TABLE_ACTIONS = ("dynamodb:Query",)  # check_availability is one Query


class PatternGStack(PatternStack):
    PATTERN_ID = "G"
    DESCRIPTION = "AI orchestration patterns - G: multi-agent, multi-process"

    def __init__(self, scope, id_: str, **kwargs) -> None:
        super().__init__(scope, id_, **kwargs)
        table = self.bookings_table()
        sessions = self.sessions_table()
        secret = self.openai_secret()
        self.add_layers()
        environment = self.runtime_environment(table, secret)

        self.specialists: dict[str, PatternFunction] = {}
        for key, handler in SPECIALIST_HANDLERS.items():
            specialist = self.function(
                f"{key.title()}Specialist",
                package="pattern_g",
                handler=handler,
                environment=environment
                | Settings.environment(
                    openai_timeout_seconds=timeouts.G_SPECIALIST_MODEL_CALL_SECONDS
                ),
                memory_size=AGENTS_SDK_MEMORY_MB,
                timeout=SPECIALIST_TIMEOUT,
                description=f"Pattern G: the {key} specialist agent (invoked by the manager)",
            )
            secret.grant_read(specialist.function)
            self.specialists[key] = specialist
        iam.Grant.add_to_principal(
            grantee=self.specialists["availability"].function,
            actions=list(AVAILABILITY_TABLE_ACTIONS),
            resource_arns=[table.table.table_arn],
        )
        table.grant_booking_access(self.specialists["booking"].function)

        bookings_table = env_key("bookings_table_name")  # the manager books nothing itself
        manager_environment = {
            **{k: v for k, v in environment.items() if k != bookings_table},
            **Settings.environment(
                sessions_table_name=sessions.table_name,
                specialist_read_timeout_seconds=timeouts.G_SPECIALIST_READ_SECONDS,
                **{
                    FUNCTION_SETTING[key]: specialist.invocable.function_arn
                    for key, specialist in self.specialists.items()
                },
            ),
        }
        self.manager = self.function(
            "Chat",
            package="pattern_g",
            environment=manager_environment,
            memory_size=AGENTS_SDK_MEMORY_MB,
            description="Pattern G: the manager agent behind POST /chat",
        )
        self.keep_answers(self.manager.function)
        sessions.grant_calls(self.manager.function)
        secret.grant_read(self.manager.function)
        # Exactly the two specialist functions (their `live` alias with SnapStart), by ARN
        # (grant_invoke would add `<arn>:*`).
        iam.Grant.add_to_principal(
            grantee=self.manager.function,
            actions=["lambda:InvokeFunction"],
            resource_arns=[s.invocable.function_arn for s in self.specialists.values()],
        )

        self.chat_api(self.manager.invocable)
