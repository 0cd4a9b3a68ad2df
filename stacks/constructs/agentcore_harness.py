"""An AgentCore managed harness whose tools are the action Lambda, behind an AgentCore Gateway.

* `AWS::BedrockAgentCore::Gateway` (MCP, AWS_IAM inbound auth: only principals allowed
  `bedrock-agentcore:InvokeGateway` on it — the harness role — may call it) with a role that may
  invoke the action Lambda and nothing else.
* `AWS::BedrockAgentCore::GatewayTarget`: the action Lambda, with tool definitions generated
  from the tool contract (`pattern_h.schema.gateway_tool_schemas`), and the identity header
  allow-listed for propagation to the Lambda (`metadataConfiguration`).
* `AWS::BedrockAgentCore::Harness`: the model, the same instruction as the Bedrock Agent, the
  gateway as its tool, bounded iterations and time; its role may invoke exactly the model and
  this gateway.
* `AWS::BedrockAgentCore::HarnessEndpoint` `live`: what the invoker calls.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_bedrockagentcore as agentcore
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stacks import timeouts
from stacks.constructs.bedrock_model import BedrockModelId, grant_model_access
from stacks.constructs.pattern_function import add_settings

MAX_ITERATIONS = 8  # model calls per turn, as the local simulation bounds its loop
TIMEOUT_SECONDS = timeouts.H_HARNESS_SECONDS  # inside the invoker's read timeout
ENDPOINT_NAME = "live"


def _schema(definition: dict) -> agentcore.CfnGatewayTarget.SchemaDefinitionProperty:
    return agentcore.CfnGatewayTarget.SchemaDefinitionProperty(
        type=definition["type"],
        description=definition.get("description"),
        required=definition.get("required"),
        properties=(
            {name: _schema(prop) for name, prop in definition["properties"].items()}
            if "properties" in definition
            else None
        ),
        items=_schema(definition["items"]) if "items" in definition else None,
    )


class BookingHarness(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        instruction: str,
        foundation_model: str,
        action_function: lambda_.IFunction,
        target_name: str,
        tool_schemas: list[dict],
        identity_header: str,
        turn_header: str | None = None,  # the per-request id the action Lambda budgets by
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        service = iam.ServicePrincipal(
            "bedrock-agentcore.amazonaws.com",
            conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
        )

        # -- the gateway and its Lambda target ---------------------------------------------
        self.gateway_role = iam.Role(
            self,
            "GatewayRole",
            assumed_by=service,
            description="AgentCore Gateway (pattern H): invoke the booking action Lambda only",
        )
        # The target calls the function's unqualified ARN: no versions or aliases (`:*`).
        self.gateway_role.add_to_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"], resources=[action_function.function_arn]
            )
        )
        self.gateway = agentcore.CfnGateway(
            self,
            "Gateway",
            name=f"{name}-gateway".replace("_", "-"),
            description="Pattern H: the booking tools for the managed harness",
            protocol_type="MCP",
            authorizer_type="AWS_IAM",
            role_arn=self.gateway_role.role_arn,
        )
        self.target = agentcore.CfnGatewayTarget(
            self,
            "Target",
            gateway_identifier=self.gateway.attr_gateway_identifier,
            name=target_name,
            description="The booking action Lambda; tool schemas generated from its code",
            target_configuration=agentcore.CfnGatewayTarget.TargetConfigurationProperty(
                mcp=agentcore.CfnGatewayTarget.McpTargetConfigurationProperty(
                    lambda_=agentcore.CfnGatewayTarget.McpLambdaTargetConfigurationProperty(
                        lambda_arn=action_function.function_arn,
                        tool_schema=agentcore.CfnGatewayTarget.ToolSchemaProperty(
                            inline_payload=[
                                agentcore.CfnGatewayTarget.ToolDefinitionProperty(
                                    name=tool["name"],
                                    description=tool["description"],
                                    input_schema=_schema(tool["inputSchema"]),
                                )
                                for tool in tool_schemas
                            ]
                        ),
                    )
                )
            ),
            credential_provider_configurations=[
                agentcore.CfnGatewayTarget.CredentialProviderConfigurationProperty(
                    credential_provider_type="GATEWAY_IAM_ROLE"
                )
            ],
            metadata_configuration=agentcore.CfnGatewayTarget.MetadataConfigurationProperty(
                allowed_request_headers=[identity_header, *([turn_header] if turn_header else [])]
            ),
        )

        # -- the harness and its endpoint --------------------------------------------------
        self.harness_role = iam.Role(
            self,
            "HarnessRole",
            assumed_by=service,
            description="AgentCore harness (pattern H): its one model and its one gateway",
        )
        grant_model_access(self.harness_role, BedrockModelId(foundation_model))
        self.harness_role.add_to_policy(
            iam.PolicyStatement(
                actions=["bedrock-agentcore:InvokeGateway"],
                resources=[self.gateway.attr_gateway_arn],
            )
        )
        self.harness = agentcore.CfnHarness(
            self,
            "Harness",
            harness_name=name.replace("-", "_"),
            execution_role_arn=self.harness_role.role_arn,
            model=agentcore.CfnHarness.HarnessModelConfigurationProperty(
                bedrock_model_config=agentcore.CfnHarness.HarnessBedrockModelConfigProperty(
                    model_id=foundation_model
                )
            ),
            system_prompt=[
                agentcore.CfnHarness.HarnessSystemContentBlockProperty(text=instruction)
            ],
            tools=[
                agentcore.CfnHarness.HarnessToolProperty(
                    type="agentcore_gateway",
                    name=target_name,
                    config=agentcore.CfnHarness.HarnessToolConfigurationProperty(
                        agent_core_gateway=agentcore.CfnHarness.HarnessAgentCoreGatewayConfigProperty(
                            gateway_arn=self.gateway.attr_gateway_arn
                        )
                    ),
                )
            ],
            max_iterations=MAX_ITERATIONS,
            timeout_seconds=TIMEOUT_SECONDS,
        )
        self.harness.node.add_dependency(self.harness_role)
        self.endpoint = agentcore.CfnHarnessEndpoint(
            self,
            "Endpoint",
            harness_id=self.harness.attr_harness_id,
            endpoint_name=ENDPOINT_NAME,
            description="Pattern H: the endpoint the invoker calls",
        )

    @property
    def harness_arn(self) -> str:
        return self.harness.attr_arn

    @property
    def gateway_url(self) -> str:
        return self.gateway.attr_gateway_url

    def grant_invoke(self, grantee: iam.IGrantable) -> None:
        """InvokeHarness needs both actions on the harness ARN (AgentCore's permission model)."""
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["bedrock-agentcore:InvokeHarness", "bedrock-agentcore:InvokeAgentRuntime"],
            resource_arns=[self.harness.attr_arn],
        )

    def serve(self, function: lambda_.Function) -> None:
        """Let `function` (the invoker) call this harness, and tell it where: the harness, its
        endpoint and the gateway whose calls carry the caller and turn headers."""
        self.grant_invoke(function)
        add_settings(
            function,
            harness_arn=self.harness_arn,
            harness_endpoint=self.endpoint.endpoint_name,
            gateway_url=self.gateway_url,
        )
