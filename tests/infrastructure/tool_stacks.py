"""Synthesized stacks of patterns D-G for the infrastructure tests (bundling skipped, as in
conftest), with helpers to read their IAM statements."""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from app import build_app
from tests.infrastructure.conftest import cdk_json_context


class StackSynth:
    def __init__(self, stack_id: str, outdir: Path, **context: object) -> None:
        app = App(
            outdir=str(outdir),
            context={**cdk_json_context(), "aws:cdk:bundling-stacks": [], **context},
        )
        build_app(app, stack_ids=[stack_id])
        self.assembly = app.synth()
        self.stack: Stack = app.node.find_child(stack_id)
        self.template = Template.from_stack(self.stack)
        self.json: dict = self.template.to_json()

    def resources(self, resource_type: str) -> dict[str, dict]:
        return {
            logical_id: resource
            for logical_id, resource in self.json["Resources"].items()
            if resource["Type"] == resource_type
        }

    def logical_id(self, resource_type: str, containing: str) -> str:
        (found,) = [i for i in self.resources(resource_type) if containing in i]
        return found

    def role_of(self, function_id: str) -> str:
        function = self.json["Resources"][function_id]
        return function["Properties"]["Role"]["Fn::GetAtt"][0]

    def statements_of(self, role_id: str) -> list[dict]:
        return [
            statement
            for policy in self.resources("AWS::IAM::Policy").values()
            if {"Ref": role_id} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        ]

    def grants(self, function_id: str, service: str) -> dict[str, list[str]]:
        """{resource (as JSON): sorted actions} of one function's role, for one service."""
        granted: dict[str, list[str]] = {}
        for statement in self.statements_of(self.role_of(function_id)):
            actions = as_list(statement["Action"])
            if not any(a.startswith(f"{service}:") for a in actions):
                continue
            for resource in as_list(statement["Resource"]):
                key = json.dumps(resource, sort_keys=True)
                granted[key] = sorted(set(granted.get(key, [])) | set(actions))
        return granted


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def arn_of(logical_id: str) -> str:
    return json.dumps({"Fn::GetAtt": [logical_id, "Arn"]}, sort_keys=True)
