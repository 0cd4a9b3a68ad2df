"""A Bedrock Agent with one action group, an alias that follows every deploy, and its role.

* `AWS::Bedrock::Agent` with the instruction, the model, `AutoPrepare` (the DRAFT version is
  prepared whenever the agent changes) and one action group: the OpenAPI schema embedded as a
  payload, executed by the action Lambda.
* `AWS::Bedrock::AgentAlias` without a routing configuration: Bedrock then creates a new agent
  version from the prepared DRAFT each time the alias is created or updated. The alias
  description carries a hash of everything the agent is made of (model, instruction, schema),
  so any change to them updates the alias — and moves it to a new version.
* The agent's role may invoke exactly the configured model (see `bedrock_model.py`), and only
  this agent may assume it (`aws:SourceAccount` / `aws:SourceArn` conditions).
* The action Lambda may be invoked by Bedrock only on behalf of this agent
  (`SourceArn` = the agent's ARN).
"""

from __future__ import annotations

import hashlib

from aws_cdk import Stack
from aws_cdk import aws_bedrock as bedrock
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stacks.constructs.bedrock_model import BedrockModelId, grant_model_access
from stacks.constructs.pattern_function import add_settings

IDLE_SESSION_TTL_SECONDS = 900  # Bedrock forgets a conversation after 15 idle minutes


class BookingBedrockAgent(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        agent_name: str,
        instruction: str,
        foundation_model: str,
        action_group_name: str,
        action_group_description: str,
        api_schema: str,
        action_function: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        model = BedrockModelId(foundation_model)
        agent_arn_pattern = f"arn:{stack.partition}:bedrock:{stack.region}:{stack.account}:agent/*"

        self.role = iam.Role(
            self,
            "Role",
            description="Bedrock Agent (pattern H): invoke its one model, nothing else",
            assumed_by=iam.ServicePrincipal(
                "bedrock.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {"aws:SourceArn": agent_arn_pattern},
                },
            ),
        )
        grant_model_access(self.role, model)

        self.agent = bedrock.CfnAgent(
            self,
            "Agent",
            agent_name=agent_name,
            agent_resource_role_arn=self.role.role_arn,
            foundation_model=foundation_model,
            instruction=instruction,
            description="Tennis court booking: pattern H, a managed agent with an action group",
            auto_prepare=True,
            idle_session_ttl_in_seconds=IDLE_SESSION_TTL_SECONDS,
            action_groups=[
                bedrock.CfnAgent.AgentActionGroupProperty(
                    action_group_name=action_group_name,
                    description=action_group_description,
                    action_group_state="ENABLED",
                    action_group_executor=bedrock.CfnAgent.ActionGroupExecutorProperty(
                        lambda_=action_function.function_arn
                    ),
                    api_schema=bedrock.CfnAgent.APISchemaProperty(payload=api_schema),
                )
            ],
        )
        self.agent.node.add_dependency(self.role)

        self.config_hash = hashlib.sha256(
            "\n".join([foundation_model, instruction, api_schema]).encode()
        ).hexdigest()[:16]
        self.alias = bedrock.CfnAgentAlias(
            self,
            "Alias",
            agent_id=self.agent.attr_agent_id,
            agent_alias_name="live",
            # A changed description updates the alias, and an alias update without a routing
            # configuration makes Bedrock cut a new version from the prepared DRAFT. (The action
            # group calls the Lambda's unqualified ARN: new Lambda code needs no new version.)
            description=f"Pattern H live alias; agent config {self.config_hash}",
        )

        action_function.add_permission(
            "InvokedByThisAgent",
            principal=iam.ServicePrincipal("bedrock.amazonaws.com"),
            action="lambda:InvokeFunction",
            source_account=stack.account,
            source_arn=self.agent.attr_agent_arn,
        )

    @property
    def agent_id(self) -> str:
        return self.agent.attr_agent_id

    @property
    def alias_id(self) -> str:
        return self.alias.attr_agent_alias_id

    def grant_invoke(self, grantee: iam.IGrantable) -> None:
        """`bedrock:InvokeAgent` on this agent's alias only."""
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["bedrock:InvokeAgent"],
            resource_arns=[self.alias.attr_agent_alias_arn],
        )

    def serve(self, function: lambda_.Function) -> None:
        """Let `function` (the invoker) call this agent, and tell it which agent and alias."""
        self.grant_invoke(function)
        add_settings(function, agent_id=self.agent_id, agent_alias_id=self.alias_id)
