"""Synthesized pattern stacks for the infrastructure tests.

Each app is built exactly as `app.py` builds it (tags, cdk-nag, strict validation) with the
context of `cdk.json`, except that asset bundling is skipped (`aws:cdk:bundling-stacks: []`):
no layer is installed, so a synth takes seconds. An app is synthesized once per session.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from app import build_app
from stacks.constants import PROJECT_ROOT

CDK_JSON = PROJECT_ROOT / "cdk.json"


def cdk_json_context() -> dict:
    return json.loads(CDK_JSON.read_text())["context"]


def synth_app(outdir: Path, **context: object) -> App:
    app = App(
        outdir=str(outdir),
        context={
            **cdk_json_context(),
            "aws:cdk:bundling-stacks": [],
            "aws:cdk:enable-asset-metadata": True,
            **context,
        },
    )
    return build_app(app, stack_ids=["PatternA"])


class Synthesized:
    """One synthesized app, with its PatternA stack and template."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.assembly = app.synth()
        self.stack: Stack = app.node.find_child("PatternA")
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

    def bookings_table(self) -> dict:
        """The bookings table (the stack also has an idempotency table)."""
        tables = self.resources("AWS::DynamoDB::Table")
        (table,) = [t for logical_id, t in tables.items() if logical_id.startswith("Bookings")]
        return table


@pytest.fixture(scope="session")
def pattern_a(tmp_path_factory) -> Synthesized:
    """PatternA as `npx cdk deploy PatternA` would deploy it, with the cdk.json defaults."""
    return Synthesized(synth_app(tmp_path_factory.mktemp("cdk-default")))


@pytest.fixture(scope="session")
def pattern_a_public(tmp_path_factory) -> Synthesized:
    """PatternA with the explicit opt-ins, as given on the command line (strings)."""
    return Synthesized(
        synth_app(tmp_path_factory.mktemp("cdk-public"), public="true", retain_data="true")
    )
