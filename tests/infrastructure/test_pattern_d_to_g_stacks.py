"""PatternD-G templates: the sessions table, the functions, and who may do what."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match

from pattern_core.agent_runtime.session_table import (
    PARTITION_KEY,
    SORT_KEY,
    TTL_ATTRIBUTE,
)
from pattern_g.wiring import FUNCTION_SETTING
from settings import env_key
from stacks.constructs.booking_table import TABLE_ACTIONS
from stacks.constructs.sessions_table import SESSION_ACTIONS
from tests.infrastructure.conftest import Synthesized, arn_of, synthesized

STACKS = ["PatternD", "PatternE", "PatternF", "PatternG"]


@pytest.fixture(scope="module")
def synths() -> dict[str, Synthesized]:
    return {sid: synthesized(sid) for sid in STACKS}


def chat_function(synth: Synthesized) -> str:
    return synth.logical_id("AWS::Lambda::Function", "Chat")


@pytest.mark.parametrize("stack_id", STACKS)
def test_sessions_table_has_the_shared_key_schema_ttl_and_recovery(synths, stack_id):
    synths[stack_id].template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [
                {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
                {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
            ],
            "TimeToLiveSpecification": {"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
            "GlobalSecondaryIndexes": Match.absent(),
        },
    )


@pytest.mark.parametrize(
    ("stack_id", "package"),
    [
        ("PatternD", "pattern_d"),
        ("PatternE", "pattern_e"),
        ("PatternF", "pattern_f"),
        ("PatternG", "pattern_g"),
    ],
)
def test_chat_function_runs_the_pattern_handler_and_may_use_only_its_sessions_table(
    synths, stack_id, package
):
    synth = synths[stack_id]
    chat = chat_function(synth)
    properties = synth.json["Resources"][chat]["Properties"]
    sessions = synth.logical_id("AWS::DynamoDB::Table", "Sessions")

    assert properties["Handler"] == f"{package}.handler.handler"
    assert properties["Environment"]["Variables"][env_key("sessions_table_name")] == {
        "Ref": sessions
    }
    assert properties["Environment"]["Variables"]["OPENAI_AGENTS_DISABLE_TRACING"] == "1"
    assert synth.grants(chat, "dynamodb")[arn_of(sessions)] == sorted(SESSION_ACTIONS)


@pytest.mark.parametrize("stack_id", ["PatternD", "PatternE", "PatternF"])
def test_single_function_patterns_book_through_their_own_table(synths, stack_id):
    synth = synths[stack_id]
    synth.template.resource_count_is("AWS::Lambda::Function", 1)
    bookings = synth.logical_id("AWS::DynamoDB::Table", "Bookings")
    assert synth.grants(chat_function(synth), "dynamodb")[arn_of(bookings)] == sorted(TABLE_ACTIONS)


# --- pattern G: three functions, each with only what its job needs -------------------------


def test_g_manager_may_invoke_exactly_the_two_specialists(synths):
    synth = synths["PatternG"]
    manager = chat_function(synth)
    specialists = {
        key: synth.logical_id("AWS::Lambda::Function", f"{key.title()}Specialist")
        for key in FUNCTION_SETTING
    }

    # Each by the reference it is invoked through: its SnapStart alias (on for G by default).
    targets = {key: synth.invoke_target(fn) for key, fn in specialists.items()}
    assert synth.grants(manager, "lambda") == {
        json.dumps(target, sort_keys=True): ["lambda:InvokeFunction"] for target in targets.values()
    }
    variables = synth.json["Resources"][manager]["Properties"]["Environment"]["Variables"]
    for key, name in FUNCTION_SETTING.items():
        assert variables[env_key(name)] == targets[key]
        assert synth.invoked_function(variables[env_key(name)]) == specialists[key]
    # The specialists invoke nothing, and nothing but the manager's role can invoke them.
    for function in specialists.values():
        assert synth.grants(function, "lambda") == {}
    permitted = [
        p["Properties"]["FunctionName"] for p in synth.resources("AWS::Lambda::Permission").values()
    ]
    assert permitted and all(synth.invoked_function(target) == manager for target in permitted)


def test_g_only_the_specialists_touch_bookings_and_the_availability_one_only_reads(synths):
    synth = synths["PatternG"]
    bookings = synth.logical_id("AWS::DynamoDB::Table", "Bookings")
    manager = chat_function(synth)
    availability = synth.logical_id("AWS::Lambda::Function", "AvailabilitySpecialist")
    booking = synth.logical_id("AWS::Lambda::Function", "BookingSpecialist")

    assert arn_of(bookings) not in synth.grants(manager, "dynamodb")
    assert (
        "BOOKINGS_TABLE_NAME"
        not in (synth.json["Resources"][manager]["Properties"]["Environment"]["Variables"])
    )
    assert synth.grants(availability, "dynamodb") == {arn_of(bookings): ["dynamodb:Query"]}
    assert synth.grants(booking, "dynamodb")[arn_of(bookings)] == sorted(TABLE_ACTIONS)
    handlers = {
        synth.json["Resources"][fn]["Properties"]["Handler"] for fn in (availability, booking)
    }
    assert handlers == {
        "pattern_g.specialist_handler.availability_handler",
        "pattern_g.specialist_handler.booking_handler",
    }
