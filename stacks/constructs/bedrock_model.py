"""Least-privilege access to one Bedrock model: a foundation model id or an inference profile.

`bedrock_model` may be a foundation-model id (`amazon.nova-pro-v1:0`) or a system-defined
cross-Region inference profile id (`us.` / `eu.` / `apac.` / `jp.` / `au.` / `ca.` /
`us-gov.` / `global.` + the model id). A profile is invoked in this Region but may run the
model in any Region of its geography, so the role may call the profile and — only *through*
that profile (`bedrock:InferenceProfileArn` condition) — the underlying foundation model in
any Region. Nothing else: no `foundation-model/*`, no other profile.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_iam as iam

INFERENCE_PROFILE_PREFIXES = ("us", "eu", "apac", "jp", "au", "ca", "us-gov", "global")
INVOKE_ACTIONS = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]


@dataclass(frozen=True)
class BedrockModelId:
    model_id: str  # as configured: what the agent / harness is given

    @property
    def profile_prefix(self) -> str | None:
        head, _, rest = self.model_id.partition(".")
        return head if rest and head in INFERENCE_PROFILE_PREFIXES else None

    @property
    def foundation_model(self) -> str:
        """The foundation model behind the id (the id itself unless it is a profile)."""
        return self.model_id.partition(".")[2] if self.profile_prefix else self.model_id

    @property
    def is_inference_profile(self) -> bool:
        return self.profile_prefix is not None


def model_access_statements(stack: Stack, model: BedrockModelId) -> list[iam.PolicyStatement]:
    """The statements that let a role invoke exactly this model (see the module docstring)."""
    partition, region, account = stack.partition, stack.region, stack.account
    if not model.is_inference_profile:
        return [
            iam.PolicyStatement(
                actions=INVOKE_ACTIONS,
                resources=[f"arn:{partition}:bedrock:{region}::foundation-model/{model.model_id}"],
            )
        ]
    profile_arn = f"arn:{partition}:bedrock:{region}:{account}:inference-profile/{model.model_id}"
    foundation_arns = [f"arn:{partition}:bedrock:*::foundation-model/{model.foundation_model}"]
    if model.profile_prefix == "global":  # global profiles name the model without a Region
        foundation_arns.append(
            f"arn:{partition}:bedrock:::foundation-model/{model.foundation_model}"
        )
    return [
        iam.PolicyStatement(
            actions=[*INVOKE_ACTIONS, "bedrock:GetInferenceProfile"], resources=[profile_arn]
        ),
        iam.PolicyStatement(
            actions=INVOKE_ACTIONS,
            resources=foundation_arns,
            conditions={"StringEquals": {"bedrock:InferenceProfileArn": profile_arn}},
        ),
    ]


def grant_model_access(role: iam.Role, model: BedrockModelId) -> None:
    """Let `role` invoke exactly this model; acknowledge the one wildcard a profile needs."""
    for statement in model_access_statements(Stack.of(role), model):
        role.add_to_policy(statement)
    if model.is_inference_profile:
        Validations.of(role).acknowledge(
            Acknowledgment(
                id=(
                    "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:bedrock:*::"
                    f"foundation-model/{model.foundation_model}]"
                ),
                reason=(
                    "A cross-Region inference profile runs its one model in any Region of its "
                    "geography; the statement names that model only and is usable only "
                    "through this stack's profile (bedrock:InferenceProfileArn condition)."
                ),
            )
        )
