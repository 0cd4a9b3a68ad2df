"""PatternB's template: pattern A's shape (HTTP API → one Lambda) running the workflow code."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk import App
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks

from app import build_app
from stacks.timeouts import API_FUNCTION_SECONDS
from tests.infrastructure.conftest import cdk_json_context


@pytest.fixture(scope="module")
def pattern_b(tmp_path_factory):
    app = App(
        outdir=str(tmp_path_factory.mktemp("cdk-pattern-b")),
        context={
            **cdk_json_context(),
            "aws:cdk:bundling-stacks": [],
            "aws:cdk:enable-asset-metadata": True,
        },
    )
    build_app(app, stack_ids=["PatternB"])
    assembly = app.synth()
    stack = app.node.find_child("PatternB")
    return stack, Template.from_stack(stack), assembly


def test_one_function_runs_the_workflow_handler(pattern_b):
    _, template, _ = pattern_b
    template.resource_count_is("AWS::Lambda::Function", 1)
    template.resource_count_is("AWS::StepFunctions::StateMachine", 0)
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": "pattern_b.handler.handler",
            "Timeout": API_FUNCTION_SECONDS,
            "Runtime": "python3.13",
        },
    )


def test_function_code_is_only_the_pattern_b_package(pattern_b):
    _, template, assembly = pattern_b
    (function,) = template.find_resources("AWS::Lambda::Function").values()
    asset = Path(assembly.directory) / function["Metadata"]["aws:asset:path"]
    assert sorted(p.name for p in asset.iterdir()) == ["pattern_b"]


def test_chat_api_requires_iam_on_both_routes(pattern_b):
    _, template, _ = pattern_b
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]["AuthorizationType"]
        for r in template.find_resources("AWS::ApiGatewayV2::Route").values()
    }
    assert routes == {"GET /health": "AWS_IAM", "POST /chat": "AWS_IAM"}


def test_aws_solutions_rules_report_nothing_unacknowledged_and_no_warnings(pattern_b):
    stack, _, _ = pattern_b
    report = AwsSolutionsChecks().validate_scope(stack)
    annotations = Annotations.from_stack(stack)

    assert [v.rule_name for v in report.violations] == []
    assert annotations.find_warning("*", Match.any_value()) == []
