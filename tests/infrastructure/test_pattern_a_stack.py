"""PatternA's template: what deploys, who may do what, and what must never be in it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from aws_cdk.assertions import Match

from booking.table import (
    PARTITION_KEY,
    SORT_KEY,
    TTL_ATTRIBUTE,
    USER_INDEX_NAME,
    USER_INDEX_PARTITION_KEY,
    USER_INDEX_SORT_KEY,
)
from stacks.constants import DEFAULT_OPENAI_SECRET_NAME
from stacks.timeouts import API_FUNCTION_SECONDS

OPENAI_KEY_SHAPE = re.compile(r"sk-[A-Za-z0-9_-]{16,}")  # sk-…, sk-proj-…, sk-svcacct-…


def _statements(synth) -> list[dict]:
    return [
        statement
        for policy in synth.resources("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _flat(value) -> str:
    """A resource ARN, intrinsics included, as one string to search in."""
    return json.dumps(value, sort_keys=True)


# --- the function ---------------------------------------------------------------------------


def test_function_runs_python_313_on_arm64_with_the_pattern_handler(pattern_a):
    # Given the synthesized stack / Then one function runs pattern A's handler on Graviton
    pattern_a.template.resource_count_is("AWS::Lambda::Function", 1)
    pattern_a.template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": "python3.13",
            "Architectures": ["arm64"],
            "Handler": "pattern_a.handler.handler",
            "MemorySize": 512,
            "Timeout": API_FUNCTION_SECONDS,  # inside the integration (test_timeouts.py)
            "TracingConfig": {"Mode": "Active"},
        },
    )


def test_function_carries_both_layers_built_for_the_same_runtime(pattern_a):
    function = pattern_a.only("AWS::Lambda::Function")["Properties"]
    layers = pattern_a.resources("AWS::Lambda::LayerVersion")

    assert sorted(ref["Ref"] for ref in function["Layers"]) == sorted(layers)
    assert len(layers) == 2
    for layer in layers.values():
        assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
        assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]


def test_function_code_is_only_its_own_pattern_package(pattern_a):
    # Given the staged code asset of the function
    function = pattern_a.only("AWS::Lambda::Function")
    asset = Path(pattern_a.assembly.directory) / function["Metadata"]["aws:asset:path"]

    # Then no other pattern's code and no bytecode is deployed with it
    assert sorted(p.name for p in asset.iterdir()) == ["pattern_a"]
    assert (asset / "pattern_a" / "handler.py").is_file()
    assert not list(asset.rglob("__pycache__"))


def test_function_environment_names_its_collaborators_by_reference(pattern_a):
    variables = pattern_a.only("AWS::Lambda::Function")["Properties"]["Environment"]["Variables"]
    table_id = next(iter(pattern_a.resources("AWS::DynamoDB::Table")))

    assert variables["PATTERN_ID"] == "A"
    assert variables["POWERTOOLS_SERVICE_NAME"] == "pattern-a"
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "AiOrchestrationPatterns"
    assert variables["POWERTOOLS_LOG_LEVEL"] == "INFO"
    assert variables["OPENAI_AGENTS_DISABLE_TRACING"] == "1"
    assert variables["OPENAI_MODEL"] == "gpt-5-mini"
    assert variables["COURT_TIMEZONE"] == "UTC"
    assert variables["AUTH_MODE"] == "iam"
    assert variables["BOOKINGS_TABLE_NAME"] == {"Ref": table_id}
    secret_arn = _flat(variables["OPENAI_API_KEY_SECRET_ARN"])
    assert f":secret:{DEFAULT_OPENAI_SECRET_NAME}" in secret_arn


def test_function_logs_to_its_own_log_group_kept_one_month(pattern_a):
    function = pattern_a.only("AWS::Lambda::Function")["Properties"]
    log_group_id = function["LoggingConfig"]["LogGroup"]["Ref"]
    log_group = pattern_a.json["Resources"][log_group_id]

    assert log_group["Properties"]["RetentionInDays"] == 30
    assert log_group["DeletionPolicy"] == "Delete"


# --- IAM --------------------------------------------------------------------------------------


def test_no_role_uses_an_aws_managed_policy(pattern_a):
    for role in pattern_a.resources("AWS::IAM::Role").values():
        assert "ManagedPolicyArns" not in role["Properties"]


def test_dynamodb_access_is_exactly_the_store_calls_on_this_table_and_its_user_index(pattern_a):
    tables = pattern_a.resources("AWS::DynamoDB::Table")
    table_arn = {"Fn::GetAtt": [next(t for t in tables if "Bookings" in t), "Arn"]}
    idempotency_arn = {"Fn::GetAtt": [next(t for t in tables if "Idempotency" in t), "Arn"]}
    dynamodb = [
        s
        for s in _statements(pattern_a)
        if any(a.startswith("dynamodb:") for a in _as_list(s["Action"]))
    ]

    granted = {
        _flat(resource): sorted(_as_list(s["Action"]))
        for s in dynamodb
        for resource in _as_list(s["Resource"])
    }
    assert granted == {
        _flat(table_arn): [
            "dynamodb:BatchGetItem",
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
        ],
        _flat({"Fn::Join": ["", [table_arn, f"/index/{USER_INDEX_NAME}"]]}): ["dynamodb:Query"],
        # Powertools idempotency's item calls (tests/infrastructure/test_edge_stacks.py).
        _flat(idempotency_arn): [
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        ],
    }


def test_secret_read_is_limited_to_the_openai_key_secret(pattern_a):
    secret = [
        s
        for s in _statements(pattern_a)
        if any(a.startswith("secretsmanager:") for a in _as_list(s["Action"]))
    ]

    (statement,) = secret
    assert sorted(_as_list(statement["Action"])) == [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
    ]
    (resource,) = _as_list(statement["Resource"])
    assert _flat(resource).endswith(f':secret:{DEFAULT_OPENAI_SECRET_NAME}-??????"]]}}')


def test_only_xray_needs_a_wildcard_resource_and_no_action_is_a_wildcard(pattern_a):
    for statement in _statements(pattern_a):
        actions = _as_list(statement["Action"])
        assert not any("*" in action for action in actions), statement
        if "*" in _as_list(statement["Resource"]):
            assert sorted(actions) == ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]


def test_function_may_write_only_to_its_own_log_group(pattern_a):
    (statement,) = [
        s
        for s in _statements(pattern_a)
        if any(a.startswith("logs:") for a in _as_list(s["Action"]))
    ]
    log_group_id = pattern_a.only("AWS::Lambda::Function")["Properties"]["LoggingConfig"][
        "LogGroup"
    ]["Ref"]

    assert sorted(_as_list(statement["Action"])) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == {"Fn::GetAtt": [log_group_id, "Arn"]}


# --- the HTTP API ----------------------------------------------------------------------------


def test_both_routes_require_iam_by_default(pattern_a):
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]["AuthorizationType"]
        for r in pattern_a.resources("AWS::ApiGatewayV2::Route").values()
    }
    assert routes == {"GET /health": "AWS_IAM", "POST /chat": "AWS_IAM"}


def test_public_mode_is_an_explicit_opt_in_that_says_so(pattern_a, pattern_a_public):
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]["AuthorizationType"]
        for r in pattern_a_public.resources("AWS::ApiGatewayV2::Route").values()
    }
    variables = pattern_a_public.only("AWS::Lambda::Function")["Properties"]["Environment"][
        "Variables"
    ]

    assert routes == {"GET /health": "NONE", "POST /chat": "NONE"}
    assert variables["AUTH_MODE"] == "public"
    assert pattern_a_public.json["Outputs"]["AuthMode"]["Value"] == "public"
    assert "WARNING" in pattern_a_public.json["Outputs"]["PublicApiWarning"]["Value"]
    assert "PublicApiWarning" not in pattern_a.json["Outputs"]


def test_lambda_integration_uses_payload_format_2(pattern_a):
    pattern_a.template.has_resource_properties(
        "AWS::ApiGatewayV2::Integration",
        {"IntegrationType": "AWS_PROXY", "PayloadFormatVersion": "2.0"},
    )


def test_default_stage_is_throttled_and_auto_deployed(pattern_a):
    stage = pattern_a.only("AWS::ApiGatewayV2::Stage")["Properties"]

    assert stage["StageName"] == "$default"
    assert stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 20, "ThrottlingRateLimit": 10}


def test_access_log_is_one_json_line_per_request_to_a_retained_for_a_month_group(pattern_a):
    settings = pattern_a.only("AWS::ApiGatewayV2::Stage")["Properties"]["AccessLogSettings"]
    log_group_id = settings["DestinationArn"]["Fn::GetAtt"][0]
    fields = json.loads(settings["Format"])

    assert pattern_a.json["Resources"][log_group_id]["Properties"]["RetentionInDays"] == 30
    assert {"requestId", "ip", "caller", "routeKey", "status", "latency"} <= set(fields)
    assert fields["requestId"] == "$context.requestId"
    assert fields["caller"] == "$context.identity.caller"


def test_endpoint_url_is_a_stable_output(pattern_a):
    url = _flat(pattern_a.json["Outputs"]["ApiUrl"]["Value"])
    assert "https://" in url
    assert ".execute-api." in url


# --- the table -------------------------------------------------------------------------------


def test_table_keys_index_and_ttl_come_from_the_shared_schema(pattern_a):
    pattern_a.template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [
                {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
                {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
            ],
            "GlobalSecondaryIndexes": [
                Match.object_like(
                    {
                        "IndexName": USER_INDEX_NAME,
                        "KeySchema": [
                            {"AttributeName": USER_INDEX_PARTITION_KEY, "KeyType": "HASH"},
                            {"AttributeName": USER_INDEX_SORT_KEY, "KeyType": "RANGE"},
                        ],
                    }
                )
            ],
            "TimeToLiveSpecification": {"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
        },
    )


def test_table_is_on_demand_encrypted_and_point_in_time_recoverable(pattern_a):
    pattern_a.template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "BillingMode": "PAY_PER_REQUEST",
            "SSESpecification": {"SSEEnabled": True},
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        },
    )


def test_data_is_deleted_with_the_demo_stack_unless_retain_data(pattern_a, pattern_a_public):
    default_table = pattern_a.bookings_table()
    retained_table = pattern_a_public.bookings_table()

    assert default_table["DeletionPolicy"] == "Delete"
    assert retained_table["DeletionPolicy"] == "Retain"
    for log_group in pattern_a_public.resources("AWS::Logs::LogGroup").values():
        assert log_group["DeletionPolicy"] == "Retain"


# --- what must never be in the template ------------------------------------------------------


def test_template_holds_no_secret_value(pattern_a, pattern_a_public):
    for synth in (pattern_a, pattern_a_public):
        text = json.dumps(synth.json)
        assert not OPENAI_KEY_SHAPE.search(text)
        assert "SecretString" not in text
        assert not synth.resources("AWS::SecretsManager::Secret")  # referenced, never created


def test_resources_are_tagged_with_project_and_pattern(pattern_a):
    tags = pattern_a.bookings_table()["Properties"]["Tags"]
    assert {"Key": "project", "Value": "ai-orchestration-patterns"} in tags
    assert {"Key": "pattern", "Value": "A"} in tags
