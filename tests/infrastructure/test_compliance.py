"""cdk-nag and CDK's own warnings: nothing unacknowledged on any stack the app deploys (the
one cdk-nag test of the suite), every acknowledgment says why, and the gate really closes."""

from __future__ import annotations

import pytest
from aws_cdk import Annotations as ConstructAnnotations
from aws_cdk import CfnResource, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk.assertions import Annotations, Match
from cdk_nag import AwsSolutionsChecks

from app import DASHBOARD_STACK_ID, PATTERN_STACKS, build_app
from tests.infrastructure.conftest import new_app, synthesized
from tests.infrastructure.test_pattern_h_stack import ON_DEMAND_MODEL, PROFILE

ACKNOWLEDGED_RULES_KEY = "aws:cdk:acknowledged-rules"
PUBLIC = {"public": "true", "retain_data": "true"}  # pattern_a_public's context: one synth


def _findings(scope) -> list[tuple[str, str, list[str]]]:
    report = AwsSolutionsChecks().validate_scope(scope)
    return [
        (v.rule_name, v.severity, [r.construct_path for r in v.violating_resources])
        for v in report.violations
    ]


# Every stack the app deploys, on the defaults and on each context that adds or swaps
# resources: public mode (guest identity, an unauthenticated route) on every pattern, Pattern H
# on its AgentCore engine and with either kind of Bedrock model id.
NAGGED = [
    *[pytest.param(stack_id, {}, id=stack_id) for stack_id in PATTERN_STACKS],
    pytest.param(DASHBOARD_STACK_ID, {}, id=DASHBOARD_STACK_ID),
    *[pytest.param(stack_id, PUBLIC, id=f"{stack_id}-public") for stack_id in PATTERN_STACKS],
    pytest.param("PatternH", {"h_engine": "agentcore"}, id="PatternH-agentcore"),
    pytest.param("PatternH", {"bedrock_model": PROFILE}, id="PatternH-inference-profile"),
    pytest.param("PatternH", {"bedrock_model": ON_DEMAND_MODEL}, id="PatternH-on-demand-model"),
]


@pytest.mark.parametrize(("stack_id", "context"), NAGGED)
def test_cdk_nag_and_cdk_report_nothing_unacknowledged(stack_id, context):
    stack = synthesized(stack_id, **context).stack

    assert _findings(stack) == []
    annotations = Annotations.from_stack(stack)
    assert annotations.find_error("*", Match.any_value()) == []
    assert annotations.find_warning("*", Match.any_value()) == []


def test_every_acknowledgment_names_one_finding_and_says_why(pattern_a_public):
    acknowledged = {
        rule: reason
        for construct in pattern_a_public.stack.node.find_all()
        for entry in construct.node.metadata
        if entry.type == ACKNOWLEDGED_RULES_KEY
        for rule, reason in entry.data.items()
    }

    assert acknowledged, "expected the X-Ray, runtime and public-mode acknowledgments"
    for rule, reason in acknowledged.items():
        assert "AwsSolutions-" in rule
        assert len(reason) >= 60, f"{rule}: a reason must explain, not just label"
    iam5 = [rule for rule in acknowledged if "AwsSolutions-IAM5" in rule]
    assert all(rule.endswith("[Resource::*]") for rule in iam5), iam5


def test_the_public_mode_acknowledgment_exists_only_in_public_mode(pattern_a):
    acknowledged = [
        rule
        for construct in pattern_a.stack.node.find_all()
        for entry in construct.node.metadata
        if entry.type == ACKNOWLEDGED_RULES_KEY
        for rule in entry.data
    ]
    assert not any("APIG4" in rule for rule in acknowledged)


def test_an_unacknowledged_finding_fails_the_synth():
    # Given the app as app.py builds it, plus a table without point-in-time recovery (a WARN rule)
    app = build_app(new_app(), stack_ids=["PatternA"])
    careless = Stack(app, "Careless")
    dynamodb.Table(
        careless,
        "Table",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
    )

    # Then cdk-nag reports it, and synthesis refuses to produce an assembly
    assert [rule for rule, _, _ in _findings(careless)] == ["AwsSolutions-DDB3"]
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()


def test_a_construct_warning_fails_the_synth_too():
    # Given a compliant app in which one construct carries a (CDK) warning
    app = build_app(new_app(), stack_ids=["PatternA"])
    stack = app.node.find_child("PatternA")
    ConstructAnnotations.of(stack).add_warning_v2("test:warn", "this feature is deprecated")

    # Then strict validation makes the warning fatal as well
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()


def test_a_template_error_found_by_cdks_own_cloudformation_validation_fails_the_synth_too():
    # Given the app as app.py builds it (the small dashboard stack), plus a queue whose
    # template CloudFormation would refuse: the checks `make test`'s CLI synths skip
    # (--no-validation) because every synth of these tests runs them
    app = build_app(new_app(), stack_ids=[DASHBOARD_STACK_ID])
    CfnResource(
        Stack(app, "Invalid"),
        "Queue",
        type="AWS::SQS::Queue",
        properties={"VisibilityTimeout": "soon"},
    )

    # Then aws-cdk-lib's built-in validation reports it and synthesis refuses
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
