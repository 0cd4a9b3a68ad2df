"""The one synth helper of the infrastructure tests: `synthesized(stack_id, **context)`.

Each app is built exactly as `app.py` builds it (tags, cdk-nag, strict validation) with the
context of `cdk.json` plus the given context (strings, as `-c key=value` gives them), except
that asset bundling is skipped (`aws:cdk:bundling-stacks: []`): no layer is installed, so a
synth takes seconds. Each (stack, context) is synthesized once per test session, whichever
test module asks first; every test reads the same `Synthesized` and none may change it.
"""

from __future__ import annotations

import functools
import json
import tempfile

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from app import build_app
from stacks.constants import PROJECT_ROOT

CDK_JSON = PROJECT_ROOT / "cdk.json"
# One directory for every cloud assembly of the session, removed when the interpreter exits.
_ASSEMBLIES = tempfile.TemporaryDirectory(prefix="patterns-cdk-")


def cdk_json_context() -> dict:
    return json.loads(CDK_JSON.read_text())["context"]


def new_app(**context: object) -> App:
    """An unsynthesized app with the cdk.json context, bundling skipped, and `context`."""
    return App(
        outdir=tempfile.mkdtemp(dir=_ASSEMBLIES.name),
        context={
            **cdk_json_context(),
            "aws:cdk:bundling-stacks": [],
            "aws:cdk:enable-asset-metadata": True,  # the asset tests read each function's code
            **context,
        },
    )


@functools.cache
def synthesized(stack_id: str, **context: str) -> Synthesized:
    """`stack_id` as `npx cdk synth stack_id -c key=value …` would build it, once per session."""
    app = build_app(new_app(**context), stack_ids=[stack_id])
    return Synthesized(app, stack_id)


class Synthesized:
    """One synthesized stack: its assembly, template and lookups over the template's JSON."""

    def __init__(self, app: App, stack_id: str) -> None:
        self.app = app
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

    def only(self, resource_type: str) -> dict:
        (resource,) = self.resources(resource_type).values()
        return resource

    def logical_id(self, resource_type: str, containing: str) -> str:
        (found,) = [i for i in self.resources(resource_type) if containing in i]
        return found

    def bookings_table(self) -> dict:
        """The bookings table (the stack also has an idempotency table)."""
        tables = self.resources("AWS::DynamoDB::Table")
        (table,) = [t for logical_id, t in tables.items() if logical_id.startswith("Bookings")]
        return table

    def alias_of(self, function_id: str) -> str | None:
        """The logical id of the function's (SnapStart) alias, if it has one."""
        aliases = [
            alias_id
            for alias_id, alias in self.resources("AWS::Lambda::Alias").items()
            if alias["Properties"]["FunctionName"] == {"Ref": function_id}
        ]
        assert len(aliases) <= 1, aliases
        return aliases[0] if aliases else None

    def invoke_target(self, function_id: str) -> dict:
        """How a caller must reference the function: its alias with SnapStart, else its ARN."""
        alias = self.alias_of(function_id)
        return {"Ref": alias} if alias else {"Fn::GetAtt": [function_id, "Arn"]}

    def invoked_function(self, reference: dict) -> str:
        """The logical id of the function a caller's reference invokes: `Fn::GetAtt [fn, Arn]`
        (or a Join of it), or `Ref` to a SnapStart function's alias."""
        if "Ref" in reference:
            alias = self.json["Resources"][reference["Ref"]]
            assert alias["Type"] == "AWS::Lambda::Alias", reference
            return alias["Properties"]["FunctionName"]["Ref"]
        if "Fn::GetAtt" in reference:
            return reference["Fn::GetAtt"][0]
        for part in reference["Fn::Join"][1]:
            if isinstance(part, dict) and ("Fn::GetAtt" in part or "Ref" in part):
                return self.invoked_function(part)
        raise AssertionError(f"no function in {reference}")

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


@pytest.fixture(scope="session")
def pattern_a() -> Synthesized:
    """PatternA as `npx cdk deploy PatternA` would deploy it, with the cdk.json defaults."""
    return synthesized("PatternA")


@pytest.fixture(scope="session")
def pattern_a_public() -> Synthesized:
    """PatternA with the explicit opt-ins, as given on the command line (strings)."""
    return synthesized("PatternA", public="true", retain_data="true")
