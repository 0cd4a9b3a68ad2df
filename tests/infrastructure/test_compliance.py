"""cdk-nag and CDK's own warnings: nothing unacknowledged, and the gate really closes."""

from __future__ import annotations

import pytest
from aws_cdk import Annotations as ConstructAnnotations
from aws_cdk import App, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk.assertions import Annotations, Match
from cdk_nag import AwsSolutionsChecks

from app import build_app

ACKNOWLEDGED_RULES_KEY = "aws:cdk:acknowledged-rules"


def _findings(scope) -> list[tuple[str, str, list[str]]]:
    report = AwsSolutionsChecks().validate_scope(scope)
    return [
        (v.rule_name, v.severity, [r.construct_path for r in v.violating_resources])
        for v in report.violations
    ]


@pytest.mark.parametrize("synth_name", ["pattern_a", "pattern_a_public"])
def test_aws_solutions_rules_report_nothing_unacknowledged(synth_name, request):
    synth = request.getfixturevalue(synth_name)
    assert _findings(synth.stack) == []


@pytest.mark.parametrize("synth_name", ["pattern_a", "pattern_a_public"])
def test_no_construct_carries_a_warning_or_error(synth_name, request):
    annotations = Annotations.from_stack(request.getfixturevalue(synth_name).stack)
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


def test_an_unacknowledged_finding_fails_the_synth(tmp_path):
    # Given the app as app.py builds it, plus a table without point-in-time recovery (a WARN rule)
    app = App(outdir=str(tmp_path), context={"aws:cdk:bundling-stacks": []})
    build_app(app, stack_ids=["PatternA"])
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


def test_a_construct_warning_fails_the_synth_too(tmp_path):
    # Given a compliant app in which one construct carries a (CDK) warning
    app = App(outdir=str(tmp_path), context={"aws:cdk:bundling-stacks": []})
    build_app(app, stack_ids=["PatternA"])
    stack = app.node.find_child("PatternA")
    ConstructAnnotations.of(stack).add_warning_v2("test:warn", "this feature is deprecated")

    # Then strict validation makes the warning fatal as well
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
