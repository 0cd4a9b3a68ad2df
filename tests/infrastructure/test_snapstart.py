"""SnapStart (`-c snapstart=`): on, every function of a listed pattern publishes a version with
SnapStart behind a `live` alias, and every caller — the chat API, C's state machine, G's
manager, H's managed agent — invokes the alias; off, no version, no alias, callers invoke the
function. The default (cdk.json) turns it on for E, F and G only."""

from __future__ import annotations

import json

import pytest

from pattern_g.wiring import FUNCTION_SETTING
from settings import env_key
from stacks.constants import CTX_SNAPSTART, DEFAULT_SNAPSTART, PatternSettings
from stacks.constructs.pattern_function import LIVE_ALIAS
from tests.infrastructure.conftest import Synthesized, cdk_json_context, new_app, synthesized

SNAPSTART = {"ApplyOn": "PublishedVersions"}


def functions(synth: Synthesized) -> dict[str, dict]:
    return synth.resources("AWS::Lambda::Function")


def api_target(synth: Synthesized) -> dict:
    (integration,) = synth.resources("AWS::ApiGatewayV2::Integration").values()
    return integration["Properties"]["IntegrationUri"]


def chat_function(synth: Synthesized) -> str:
    return synth.logical_id("AWS::Lambda::Function", "Chat")


def assert_snapstart_on_every_function(synth: Synthesized) -> None:
    versions = synth.resources("AWS::Lambda::Version")
    for function_id, function in functions(synth).items():
        assert function["Properties"]["SnapStart"] == SNAPSTART, function_id
        (version_id,) = [
            v
            for v, r in versions.items()
            if r["Properties"]["FunctionName"] == {"Ref": function_id}
        ]
        # The version the next deploy replaces is deleted, with its cached snapshot.
        assert versions[version_id]["DeletionPolicy"] == "Delete"
        alias = synth.json["Resources"][synth.alias_of(function_id)]["Properties"]
        assert alias["Name"] == LIVE_ALIAS
        assert alias["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}
    assert len(versions) == len(functions(synth))


def assert_no_snapstart(synth: Synthesized) -> None:
    for function_id, function in functions(synth).items():
        assert "SnapStart" not in function["Properties"], function_id
    assert synth.resources("AWS::Lambda::Version") == {}
    assert synth.resources("AWS::Lambda::Alias") == {}


def api_permissions(synth: Synthesized) -> list[dict]:
    return [
        p["Properties"]["FunctionName"]
        for p in synth.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "apigateway.amazonaws.com"
    ]


# -- the default -----------------------------------------------------------------------------
@pytest.mark.parametrize("pattern", list("ABCDEFGH"))
def test_by_default_snapstart_is_on_for_the_agents_sdk_patterns_only(pattern):
    synth = synthesized(f"Pattern{pattern}")
    chat = chat_function(synth)

    if pattern in "EFG":
        assert_snapstart_on_every_function(synth)
        assert api_target(synth) == {"Ref": synth.alias_of(chat)}
        assert set(json.dumps(p) for p in api_permissions(synth)) == {
            json.dumps({"Ref": synth.alias_of(chat)})
        }
    else:
        assert_no_snapstart(synth)
        assert api_target(synth) == {"Fn::GetAtt": [chat, "Arn"]}


def test_cdk_json_spells_the_default():
    assert cdk_json_context()[CTX_SNAPSTART] == DEFAULT_SNAPSTART


# -- on and off, by context ----------------------------------------------------------------
@pytest.mark.parametrize("stack_id", ["PatternA", "PatternC", "PatternG", "PatternH"])
def test_snapstart_all_puts_every_function_and_every_caller_on_the_alias(stack_id):
    synth = synthesized(stack_id, snapstart="all")
    chat = chat_function(synth)

    assert_snapstart_on_every_function(synth)
    assert api_target(synth) == {"Ref": synth.alias_of(chat)}
    assert api_permissions(synth) and all(
        p == {"Ref": synth.alias_of(chat)} for p in api_permissions(synth)
    )


def test_snapstart_off_leaves_e_without_version_or_alias():
    synth = synthesized("PatternE", snapstart="none")

    assert_no_snapstart(synth)
    assert api_target(synth) == {"Fn::GetAtt": [chat_function(synth), "Arn"]}


def test_c_state_machine_invokes_the_step_aliases():
    synth = synthesized("PatternC", snapstart="all")
    machine = synth.only("AWS::StepFunctions::StateMachine")
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    steps = [f for f in functions(synth) if f != chat_function(synth)]

    assert sorted(substitutions.values(), key=json.dumps) == sorted(
        ({"Ref": synth.alias_of(step)} for step in steps), key=json.dumps
    )
    (statement,) = [
        s
        for s in synth.statements_of(machine["Properties"]["RoleArn"]["Fn::GetAtt"][0])
        if s["Action"] == "lambda:InvokeFunction"
    ]
    assert sorted(statement["Resource"], key=json.dumps) == sorted(
        substitutions.values(), key=json.dumps
    )


def test_g_manager_invokes_the_specialist_aliases():
    synth = synthesized("PatternG", snapstart="G")
    manager = chat_function(synth)
    variables = functions(synth)[manager]["Properties"]["Environment"]["Variables"]
    specialists = [f for f in functions(synth) if f != manager]
    aliases = sorted(json.dumps({"Ref": synth.alias_of(s)}, sort_keys=True) for s in specialists)

    targets = [
        json.dumps(variables[env_key(name)], sort_keys=True) for name in FUNCTION_SETTING.values()
    ]
    assert sorted(targets) == aliases
    assert sorted(synth.grants(manager, "lambda")) == aliases


def test_h_action_group_runs_the_action_alias():
    synth = synthesized("PatternH", snapstart="H")
    actions = synth.logical_id("AWS::Lambda::Function", "Actions")
    alias = {"Ref": synth.alias_of(actions)}

    (group,) = synth.only("AWS::Bedrock::Agent")["Properties"]["ActionGroups"]
    assert group["ActionGroupExecutor"]["Lambda"] == alias
    bedrock = [
        p["Properties"]["FunctionName"]
        for p in synth.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "bedrock.amazonaws.com"
    ]
    assert bedrock == [alias]


# -- the context's format ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("none", set()),
        ("all", set("ABCDEFGH")),
        ("E,F,G", {"E", "F", "G"}),
        ("e, g", {"E", "G"}),
        ("", set()),
    ],
)
def test_snapstart_context_names_patterns(value, expected):
    app = new_app(snapstart=value)
    assert PatternSettings.from_context(app).snapstart == expected


def test_snapstart_context_refuses_an_unknown_pattern():
    with pytest.raises(ValueError, match="snapstart"):
        PatternSettings.from_context(new_app(snapstart="E,X"))
