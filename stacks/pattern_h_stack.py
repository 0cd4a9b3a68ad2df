"""Pattern H — managed agent: Amazon Bedrock runs the agent loop; you provide its tools.

The invoker Lambda behind the chat API hands each message to a managed agent, which decides
which booking operation to call and calls the action Lambda itself. Two engines, chosen with
`-c h_engine=`:

* `bedrock_agent` (default): an Amazon Bedrock Agent ("Agents Classic") with one action group —
  the OpenAPI schema generated from the action handler, executed by the action Lambda;
* `agentcore`: an Amazon Bedrock AgentCore managed harness whose tools are the same action
  Lambda behind an AgentCore Gateway (tool schemas generated from the same code). For accounts
  that cannot create Agents Classic (closed to new customers since 2026-07-30).

Its neighbour, pattern G, runs a multi-agent loop in its own Lambdas with the Agents SDK; here
the loop is AWS's, and no OpenAI key is involved.

AWS shape: HTTP API → invoker Lambda → Bedrock Agent / AgentCore harness → action Lambda
(+ bookings table, two layers).
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration

# Both are pure (no handler, no Powertools resolver, no AWS client): the instruction text and
# the tool interface built from the tool contract, importable under `uv run` as installed.
from pattern_h.instruction import AGENT_NAME, INSTRUCTION
from pattern_h.schema import (
    SCHEMA_DESCRIPTION,
    TURN_HEADER,
    USER_HEADER,
    bedrock_openapi_payload,
    gateway_tool_schemas,
)
from settings import Settings
from stacks import timeouts
from stacks.constructs.bedrock_agent import BookingBedrockAgent
from stacks.constructs.pattern_function import side_effect_limits
from stacks.pattern_stack import PatternStack

ENGINES = ("bedrock_agent", "agentcore")
ACTION_GROUP = "booking"  # also the gateway target's name: tools are `booking___<tool>`

AGENT_ID_OUTPUT = "AgentId"
AGENT_ALIAS_ID_OUTPUT = "AgentAliasId"
HARNESS_ARN_OUTPUT = "HarnessArn"
ENGINE_OUTPUT = "AgentEngine"


class PatternHStack(PatternStack):
    """Composes the table, layers, the action and invoker functions, the managed agent (one of
    two engines) and the chat API; wires the grants."""

    PATTERN_ID = "H"
    DESCRIPTION = "AI orchestration patterns - H: managed agent"

    def __init__(self, scope, id_: str, **kwargs) -> None:
        super().__init__(scope, id_, **kwargs)
        settings = self.settings
        engine = settings.h_engine
        if engine not in ENGINES:
            raise ValueError(f"-c h_engine must be one of {ENGINES}, not {engine!r}")

        table = self.bookings_table()
        self.add_layers()
        domain_environment = Settings.environment(
            bookings_table_name=table.table_name, court_timezone=settings.court_timezone
        ) | side_effect_limits(settings)

        actions = self.function(
            "Actions",
            package="pattern_h",
            handler="actions.handler",
            description="Pattern H: the booking tools the managed agent calls",
            environment=domain_environment,
            # One booking tool is a DynamoDB call or two: well inside the agent's invoke.
            timeout=Duration.seconds(timeouts.H_ACTION_FUNCTION_SECONDS),
        )
        table.grant_booking_access(actions.function)
        # The turn's write budget is one counter item per /chat request (`TURN#{turn_id}`),
        # claimed with a conditional UpdateItem — a call the booking access above already
        # grants, because the caller's ledger item is updated the same way.

        invoker = self.function(
            "Chat",
            package="pattern_h",
            environment=domain_environment
            | Settings.environment(
                auth_mode=settings.auth_mode,
                h_engine=engine,
                # Below the invoker's own timeout: a slow agent is a 504 in the contract's body.
                agent_read_timeout_seconds=timeouts.H_AGENT_READ_SECONDS,
            ),
        )
        self.keep_answers(invoker.function)
        # The invoker books nothing: it only lists the caller's bookings (one Query on the
        # user index) to confirm that a booking the agent's trace reports is really theirs.
        table.grant_user_bookings_query(invoker.function)

        if engine == "bedrock_agent":
            agent = BookingBedrockAgent(
                self,
                "Agent",
                agent_name=f"{AGENT_NAME}-{self.stack_name}",
                instruction=INSTRUCTION,
                foundation_model=settings.bedrock_model,
                action_group_name=ACTION_GROUP,
                action_group_description=SCHEMA_DESCRIPTION,
                api_schema=bedrock_openapi_payload(),
                action_function=actions.invocable,
            )
            agent.serve(invoker.function)
            outputs = {AGENT_ID_OUTPUT: agent.agent_id, AGENT_ALIAS_ID_OUTPUT: agent.alias_id}
        else:
            # Loaded only for this engine: its CDK module (the AgentCore L1s) is the slowest
            # the app would otherwise import.
            from stacks.constructs.agentcore_harness import BookingHarness

            harness = BookingHarness(
                self,
                "Harness",
                name=f"patterns_h_{self.stack_name}".lower(),
                instruction=INSTRUCTION,
                foundation_model=settings.bedrock_model,
                action_function=actions.invocable,
                target_name=ACTION_GROUP,
                tool_schemas=gateway_tool_schemas(),
                identity_header=USER_HEADER,
                turn_header=TURN_HEADER,
            )
            harness.serve(invoker.function)
            outputs = {HARNESS_ARN_OUTPUT: harness.harness_arn}
        for name, value in {**outputs, ENGINE_OUTPUT: engine}.items():
            CfnOutput(self, name, value=value)

        self.chat_api(invoker.invocable)
