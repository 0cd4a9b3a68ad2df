"""PatternH's template, both engines: the agent (or harness), its schema, roles and wiring.

The schema tests are drift tests: the stack builds the schema from the tool contract
(`pattern_h.schema`, importable without the handler), and the template must embed exactly what
the action handler's own `BedrockAgentResolver` generates today, so a route or argument change
on either side that the other does not follow fails here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

from pattern_h.actions import TURN_HEADER, USER_HEADER
from pattern_h.instruction import INSTRUCTION
from pattern_h.schema import (
    RESULT_DESCRIPTION,
    SCHEMA_DESCRIPTION,
    SCHEMA_TITLE,
    SCHEMA_VERSION,
    bedrock_openapi_schema,
    gateway_tool_schemas,
)
from stacks.constants import DEFAULT_BEDROCK_MODEL
from tests.infrastructure.conftest import Synthesized, synthesized

PROFILE = "eu.anthropic.claude-haiku-4-5-20251001-v1:0"
ON_DEMAND_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"  # invocable without a profile


class SynthesizedH:
    def __init__(self, synthesized: Synthesized) -> None:
        self.synthesized = synthesized
        self.stack = synthesized.stack
        self.template = synthesized.template
        self.json = synthesized.json

    def of_type(self, resource_type: str) -> dict[str, dict]:
        return {k: r for k, r in self.json["Resources"].items() if r["Type"] == resource_type}

    def only(self, resource_type: str) -> tuple[str, dict]:
        ((logical_id, resource),) = self.of_type(resource_type).items()
        return logical_id, resource

    def function(self, handler: str) -> str:
        return next(
            k
            for k, r in self.of_type("AWS::Lambda::Function").items()
            if r["Properties"]["Handler"] == handler
        )

    def policy_of(self, function_id: str) -> list[dict]:
        return self.statements_of_role(self.synthesized.role_of(function_id))

    def statements_of_role(self, role_id: str) -> list[dict]:
        return self.synthesized.statements_of(role_id)


@pytest.fixture(scope="module")
def agent_stack() -> SynthesizedH:
    return SynthesizedH(synthesized("PatternH"))


@pytest.fixture(scope="module")
def profile_stack() -> SynthesizedH:
    return SynthesizedH(synthesized("PatternH", bedrock_model=PROFILE))


@pytest.fixture(scope="module")
def on_demand_stack() -> SynthesizedH:
    return SynthesizedH(synthesized("PatternH", bedrock_model=ON_DEMAND_MODEL))


@pytest.fixture(scope="module")
def harness_stack() -> SynthesizedH:
    return SynthesizedH(synthesized("PatternH", h_engine="agentcore"))


def resolver_openapi_schema() -> dict:
    """What the action handler's `BedrockAgentResolver` generates for its routes, tidied into
    the form the Bedrock action-group API accepts: references inlined, no `components`, no
    Powertools validation-error responses or summaries, no titles, single-member `anyOf`s
    (left over from a removed `null`) folded away."""
    from pattern_h.actions import app

    raw = json.loads(
        app.get_openapi_json_schema(
            title=SCHEMA_TITLE, version=SCHEMA_VERSION, description=SCHEMA_DESCRIPTION
        )
    )
    components = raw.get("components", {}).get("schemas", {})
    paths: dict[str, dict] = {}
    for path, methods in raw["paths"].items():
        for method, operation in methods.items():
            operation.pop("summary", None)
            operation["responses"] = {
                "200": {
                    "description": RESULT_DESCRIPTION,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            }
            paths.setdefault(path, {})[method] = _tidy(operation, components)
    return {"openapi": raw["openapi"], "info": raw["info"], "paths": paths}


def _tidy(node: Any, components: dict) -> Any:
    if isinstance(node, list):
        return [_tidy(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _tidy(components[node["$ref"].rsplit("/", 1)[-1]], components)
    node = {key: value for key, value in node.items() if key != "title"}
    any_of = node.get("anyOf")
    if isinstance(any_of, list) and len(any_of) == 1:
        node = {**{k: v for k, v in node.items() if k != "anyOf"}, **any_of[0]}
    return {key: _tidy(value, components) for key, value in node.items()}


def _actions(statements: list[dict]) -> set[str]:
    return {
        action
        for s in statements
        for action in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }


# -- Bedrock Agent (default engine) ------------------------------------------------------------
def test_the_agent_has_the_instruction_the_model_and_auto_prepare(agent_stack):
    _, agent = agent_stack.only("AWS::Bedrock::Agent")
    props = agent["Properties"]
    assert props["Instruction"] == INSTRUCTION
    assert props["FoundationModel"] == DEFAULT_BEDROCK_MODEL
    assert props["AutoPrepare"] is True
    assert not re.search(r"\d{4}-\d{2}-\d{2}", INSTRUCTION)  # today is given at run time


def test_the_action_group_schema_is_the_one_generated_from_the_handler(agent_stack):
    _, agent = agent_stack.only("AWS::Bedrock::Agent")
    (group,) = agent["Properties"]["ActionGroups"]

    deployed = json.loads(group["ApiSchema"]["Payload"])
    assert deployed == resolver_openapi_schema()
    assert deployed == bedrock_openapi_schema()
    assert group["ActionGroupExecutor"]["Lambda"] == {
        "Fn::GetAtt": [agent_stack.function("pattern_h.actions.handler"), "Arn"]
    }


def test_the_generated_schema_is_openapi_30_without_constructs_bedrock_rejects():
    schema = bedrock_openapi_schema()
    text = json.dumps(schema["paths"])

    assert schema["openapi"].startswith("3.0")
    assert "components" not in schema
    for construct in ('"$ref"', '"anyOf"', '"oneOf"', '"title"'):
        assert construct not in text
    operations = [op for methods in schema["paths"].values() for op in methods.values()]
    assert {op["operationId"] for op in operations} == {
        "check_availability",
        "book_slot",
        "move_booking",
        "list_bookings",
        "cancel_booking",
    }
    assert all(op["description"] for op in operations)
    assert "user_id" not in text  # identity is never a parameter the model fills


def test_the_alias_follows_the_agent_config_to_a_new_version(agent_stack, profile_stack):
    _, alias = agent_stack.only("AWS::Bedrock::AgentAlias")
    _, other = profile_stack.only("AWS::Bedrock::AgentAlias")

    assert "RoutingConfiguration" not in alias["Properties"]  # Bedrock cuts a new version
    assert alias["Properties"]["Description"] != other["Properties"]["Description"]


def test_only_bedrock_acting_for_an_agent_of_this_account_may_assume_the_agent_role(
    agent_stack,
):
    _, agent = agent_stack.only("AWS::Bedrock::Agent")
    role_id = agent["Properties"]["AgentResourceRoleArn"]["Fn::GetAtt"][0]
    role = agent_stack.json["Resources"][role_id]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]

    assert trust["Principal"] == {"Service": "bedrock.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert ":agent/*" in json.dumps(trust["Condition"]["ArnLike"]["aws:SourceArn"])


def test_the_default_model_needs_no_use_case_form_and_is_granted_only_through_its_profile(
    agent_stack,
):
    # Given the default settings (no -c bedrock_model)
    _, agent = agent_stack.only("AWS::Bedrock::Agent")
    role_id = agent["Properties"]["AgentResourceRoleArn"]["Fn::GetAtt"][0]
    profile_statement, model_statement = agent_stack.statements_of_role(role_id)

    # Then the agent runs Amazon Nova Pro through the US profile (an Amazon model: no
    # Anthropic use-case form on a fresh account), and its role may invoke only that
    assert agent["Properties"]["FoundationModel"] == "us.amazon.nova-pro-v1:0"
    assert "inference-profile/us.amazon.nova-pro-v1:0" in json.dumps(profile_statement["Resource"])
    assert json.dumps(model_statement["Resource"]).endswith(
        ':bedrock:*::foundation-model/amazon.nova-pro-v1:0"]]}'
    )
    assert "anthropic" not in json.dumps(agent_stack.json)


def test_a_foundation_model_id_grants_that_model_in_this_region_only(on_demand_stack):
    _, agent = on_demand_stack.only("AWS::Bedrock::Agent")
    assert agent["Properties"]["FoundationModel"] == ON_DEMAND_MODEL
    role_id = agent["Properties"]["AgentResourceRoleArn"]["Fn::GetAtt"][0]

    (statement,) = on_demand_stack.statements_of_role(role_id)

    assert set(statement["Action"]) == {
        "bedrock:InvokeModel",
        "bedrock:InvokeModelWithResponseStream",
    }
    resource = json.dumps(statement["Resource"])
    assert '{"Ref": "AWS::Region"}' in resource
    assert resource.endswith(f'::foundation-model/{ON_DEMAND_MODEL}"]]}}')


def test_an_inference_profile_covers_the_profile_and_its_model_only_through_it(profile_stack):
    _, agent = profile_stack.only("AWS::Bedrock::Agent")
    role_id = agent["Properties"]["AgentResourceRoleArn"]["Fn::GetAtt"][0]
    profile_statement, model_statement = profile_stack.statements_of_role(role_id)

    assert f"inference-profile/{PROFILE}" in json.dumps(profile_statement["Resource"])
    assert ":bedrock:*::foundation-model/anthropic.claude-haiku-4-5" in json.dumps(
        model_statement["Resource"]
    )
    condition = model_statement["Condition"]["StringEquals"]["bedrock:InferenceProfileArn"]
    assert condition == profile_statement["Resource"]


def test_only_this_agent_may_invoke_the_action_lambda(agent_stack):
    agent_id, _ = agent_stack.only("AWS::Bedrock::Agent")
    actions = agent_stack.function("pattern_h.actions.handler")
    permissions = [
        p["Properties"]
        for p in agent_stack.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "bedrock.amazonaws.com"
    ]

    assert permissions == [
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [actions, "Arn"]},
            "Principal": "bedrock.amazonaws.com",
            "SourceAccount": {"Ref": "AWS::AccountId"},
            "SourceArn": {"Fn::GetAtt": [agent_id, "AgentArn"]},
        }
    ]


def test_the_invoker_may_invoke_this_alias_and_read_bookings_but_not_write(agent_stack):
    alias_id, _ = agent_stack.only("AWS::Bedrock::AgentAlias")
    invoker = agent_stack.function("pattern_h.handler.handler")
    statements = agent_stack.policy_of(invoker)

    (invoke,) = [s for s in statements if s["Action"] == "bedrock:InvokeAgent"]
    assert invoke["Resource"] == {"Fn::GetAtt": [alias_id, "AgentAliasArn"]}
    # Its idempotency table is checked in tests/infrastructure/test_edge_stacks.py.
    bookings = [s for s in statements if "Idempotency" not in str(s["Resource"])]
    dynamo = {a for a in _actions(bookings) if a.startswith("dynamodb:")}
    assert dynamo == {"dynamodb:Query"}
    environment = agent_stack.json["Resources"][invoker]["Properties"]["Environment"]["Variables"]
    assert environment["H_ENGINE"] == "bedrock_agent"
    assert environment["AGENT_ALIAS_ID"] == {"Fn::GetAtt": [alias_id, "AgentAliasId"]}


@pytest.mark.parametrize("synth_name", ["agent_stack", "harness_stack"])
def test_the_action_lambda_may_update_ledger_and_turn_counter_items(request, synth_name):
    synth = request.getfixturevalue(synth_name)
    statements = synth.policy_of(synth.function("pattern_h.actions.handler"))

    # The turn counter (`TURN#…`) and the caller's ledger (`USER#…`) are both conditional
    # updates of items in the bookings table: one UpdateItem grant, on that table only.
    (update,) = [s for s in statements if "dynamodb:UpdateItem" in _actions([s])]
    assert "Condition" not in update
    assert "index" not in json.dumps(update["Resource"])
    environment = synth.json["Resources"][synth.function("pattern_h.actions.handler")][
        "Properties"
    ]["Environment"]["Variables"]
    assert environment["MAX_BOOKINGS_PER_TURN"] == "2"
    assert environment["MAX_CANCELLATIONS_PER_TURN"] == "2"


def test_pattern_h_has_no_openai_secret(agent_stack, harness_stack):
    for synth in (agent_stack, harness_stack):
        assert synth.of_type("AWS::SecretsManager::Secret") == {}
        assert "OPENAI_API_KEY" not in json.dumps(synth.of_type("AWS::Lambda::Function"))


# -- AgentCore engine ----------------------------------------------------------------------------
def test_the_agentcore_engine_deploys_a_harness_gateway_target_and_endpoint(harness_stack):
    assert harness_stack.of_type("AWS::Bedrock::Agent") == {}
    _, gateway = harness_stack.only("AWS::BedrockAgentCore::Gateway")
    harness_id, harness = harness_stack.only("AWS::BedrockAgentCore::Harness")
    _, endpoint = harness_stack.only("AWS::BedrockAgentCore::HarnessEndpoint")

    assert gateway["Properties"]["AuthorizerType"] == "AWS_IAM"
    assert gateway["Properties"]["ProtocolType"] == "MCP"
    props = harness["Properties"]
    assert props["Model"] == {"BedrockModelConfig": {"ModelId": DEFAULT_BEDROCK_MODEL}}
    assert DEFAULT_BEDROCK_MODEL == "us.amazon.nova-pro-v1:0"
    assert "amazon.nova-pro-v1:0" in json.dumps(harness_stack.json["Resources"])
    assert props["SystemPrompt"] == [{"Text": INSTRUCTION}]
    (tool,) = props["Tools"]
    assert tool["Type"] == "agentcore_gateway"
    assert endpoint["Properties"]["HarnessId"] == {"Fn::GetAtt": [harness_id, "HarnessId"]}


def _from_cfn(schema: dict) -> dict:
    out = {key[0].lower() + key[1:]: value for key, value in schema.items()}
    if "properties" in out:
        out["properties"] = {name: _from_cfn(p) for name, p in out["properties"].items()}
    return out


def test_the_gateway_tools_are_the_ones_generated_from_the_handler(harness_stack):
    _, target = harness_stack.only("AWS::BedrockAgentCore::GatewayTarget")
    props = target["Properties"]
    lambda_target = props["TargetConfiguration"]["Mcp"]["Lambda"]
    tools = [
        {
            "name": t["Name"],
            "description": t["Description"],
            "inputSchema": _from_cfn(t["InputSchema"]),
        }
        for t in lambda_target["ToolSchema"]["InlinePayload"]
    ]

    assert tools == gateway_tool_schemas(resolver_openapi_schema())
    assert tools == gateway_tool_schemas()
    assert lambda_target["LambdaArn"] == {
        "Fn::GetAtt": [harness_stack.function("pattern_h.actions.handler"), "Arn"]
    }
    # The caller and the turn id (the write budget's key) reach the action Lambda; nothing else.
    assert props["MetadataConfiguration"] == {"AllowedRequestHeaders": [USER_HEADER, TURN_HEADER]}


def test_agentcore_iam_is_scoped_to_these_resources(harness_stack):
    gateway_id, gateway = harness_stack.only("AWS::BedrockAgentCore::Gateway")
    harness_id, harness = harness_stack.only("AWS::BedrockAgentCore::Harness")
    actions = harness_stack.function("pattern_h.actions.handler")

    gateway_role = gateway["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    assert harness_stack.statements_of_role(gateway_role) == [
        {
            "Action": "lambda:InvokeFunction",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [actions, "Arn"]},
        }
    ]
    harness_role = harness["Properties"]["ExecutionRoleArn"]["Fn::GetAtt"][0]
    statements = harness_stack.statements_of_role(harness_role)
    assert _actions(statements) == {
        "bedrock:GetInferenceProfile",  # the default model is an inference profile
        "bedrock:InvokeModel",
        "bedrock:InvokeModelWithResponseStream",
        "bedrock-agentcore:InvokeGateway",
    }
    (invoke_gateway,) = [s for s in statements if s["Action"] == "bedrock-agentcore:InvokeGateway"]
    assert invoke_gateway["Resource"] == {"Fn::GetAtt": [gateway_id, "GatewayArn"]}

    invoker = harness_stack.function("pattern_h.handler.handler")
    (invoke,) = [
        s
        for s in harness_stack.policy_of(invoker)
        if "bedrock-agentcore:InvokeHarness" in s["Action"]
    ]
    assert set(invoke["Action"]) == {
        "bedrock-agentcore:InvokeHarness",
        "bedrock-agentcore:InvokeAgentRuntime",
    }
    assert invoke["Resource"] == {"Fn::GetAtt": [harness_id, "Arn"]}
    environment = harness_stack.json["Resources"][invoker]["Properties"]["Environment"]
    assert environment["Variables"]["H_ENGINE"] == "agentcore"
    assert environment["Variables"]["GATEWAY_URL"] == {"Fn::GetAtt": [gateway_id, "GatewayUrl"]}


# -- both ------------------------------------------------------------------------------------
def test_an_unknown_engine_is_refused_at_synth():
    with pytest.raises(ValueError, match="h_engine"):
        synthesized("PatternH", h_engine="langchain")


def test_the_stack_builds_its_schema_without_the_handler_or_sys_path_edits(tmp_path):
    """Synth imports the tool interface, never the action handler (its Powertools resolver,
    its clients), and finds the layer's and the handlers' modules through the editable
    install alone: a fresh interpreter outside the project, no PYTHONPATH."""
    probe = (
        "import sys; before = list(sys.path); import app; "
        "assert sys.path == before, 'sys.path was edited'; "
        "loaded = sorted(m for m in sys.modules if m == 'pattern_h.actions' "
        "or m.startswith('aws_lambda_powertools.event_handler')); "
        "assert not loaded, loaded"
    )
    # HOME stays: jsii keeps its unpacked aws-cdk-lib there (an empty one unpacks it again, ~4 s)
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", str(tmp_path))}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
