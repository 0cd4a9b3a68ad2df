"""PatternB's template: pattern A's shape (HTTP API → one Lambda) running the workflow code."""

from __future__ import annotations

from pathlib import Path

import pytest

from stacks.timeouts import API_FUNCTION_SECONDS
from tests.infrastructure.conftest import Synthesized, synthesized


@pytest.fixture(scope="module")
def pattern_b() -> Synthesized:
    return synthesized("PatternB")


def test_one_function_runs_the_workflow_handler(pattern_b):
    template = pattern_b.template
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
    template, assembly = pattern_b.template, pattern_b.assembly
    (function,) = template.find_resources("AWS::Lambda::Function").values()
    asset = Path(assembly.directory) / function["Metadata"]["aws:asset:path"]
    assert sorted(p.name for p in asset.iterdir()) == ["pattern_b"]


def test_chat_api_requires_iam_on_both_routes(pattern_b):
    template = pattern_b.template
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]["AuthorizationType"]
        for r in template.find_resources("AWS::ApiGatewayV2::Route").values()
    }
    assert routes == {"GET /health": "AWS_IAM", "POST /chat": "AWS_IAM"}
