"""Deploy-time settings: cdk.json documents the same defaults the code falls back to."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App

from stacks.constants import CONTEXT_DEFAULTS, PROJECT_ROOT, PatternSettings

CDK_JSON = json.loads((PROJECT_ROOT / "cdk.json").read_text())


def test_cdk_json_declares_every_default_the_code_uses():
    assert {key: CDK_JSON["context"][key] for key in CONTEXT_DEFAULTS} == CONTEXT_DEFAULTS


def test_cdk_json_runs_the_app_from_the_lockfile():
    assert CDK_JSON["app"] == "uv run --frozen python app.py"


def test_defaults_are_private_and_disposable():
    settings = PatternSettings.from_context(App())

    assert settings.public is False
    assert settings.auth_mode == "iam"
    assert settings.retain_data is False


@pytest.mark.parametrize(("given", "public"), [("true", True), ("false", False), (True, True)])
def test_command_line_booleans_are_parsed_not_truth_tested(given, public):
    settings = PatternSettings.from_context(App(context={"public": given}))
    assert settings.public is public


def test_a_mistyped_boolean_is_an_error_not_a_silent_default():
    with pytest.raises(ValueError, match="true or false"):
        PatternSettings.from_context(App(context={"public": "ture"}))
