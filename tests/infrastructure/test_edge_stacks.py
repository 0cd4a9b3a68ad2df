"""Every stack's HTTP edge: the idempotency table only the chat function uses, and
`-c max_concurrency=N` as reserved concurrency on every function (off by default)."""

from __future__ import annotations

import json

import pytest

from pattern_core.contract.idempotency import PARTITION_KEY, TTL_ATTRIBUTE
from settings import env_key
from stacks.constructs.idempotency_table import IDEMPOTENCY_ACTIONS
from tests.infrastructure.conftest import Synthesized, arn_of, synthesized

TABLE_NAME_ENV = env_key("idempotency_table_name")
STACKS = [f"Pattern{p}" for p in "ABCDEFGH"]


@pytest.fixture(scope="module")
def synths() -> dict[str, Synthesized]:
    return {sid: synthesized(sid) for sid in STACKS}


@pytest.fixture(scope="module")
def capped() -> dict[str, Synthesized]:
    """C and G (several functions each) deployed with `-c max_concurrency=3` (a string, as
    the command line gives it)."""
    return {sid: synthesized(sid, max_concurrency="3") for sid in ("PatternC", "PatternG")}


def idempotency_table(synth: Synthesized) -> str:
    return synth.logical_id("AWS::DynamoDB::Table", "Idempotency")


def chat_function(synth: Synthesized) -> str:
    return synth.logical_id("AWS::Lambda::Function", "Chat")


@pytest.mark.parametrize("stack_id", STACKS)
def test_each_stack_has_one_idempotency_table_in_powertools_schema(synths, stack_id):
    synth = synths[stack_id]
    table = synth.json["Resources"][idempotency_table(synth)]

    assert table["DeletionPolicy"] == "Delete"
    assert table["Properties"]["KeySchema"] == [{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}]
    assert table["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": TTL_ATTRIBUTE,
        "Enabled": True,
    }
    assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": True
    }


@pytest.mark.parametrize("stack_id", STACKS)
def test_only_the_chat_function_uses_the_idempotency_table_with_powertools_calls(synths, stack_id):
    synth = synths[stack_id]
    table, chat = idempotency_table(synth), chat_function(synth)

    for function_id, function in synth.resources("AWS::Lambda::Function").items():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        grants = synth.grants(function_id, "dynamodb").get(arn_of(table))
        if function_id == chat:
            assert variables[TABLE_NAME_ENV] == {"Ref": table}
            assert grants == sorted(IDEMPOTENCY_ACTIONS)
        else:
            assert TABLE_NAME_ENV not in variables
            assert grants is None


def test_retain_data_keeps_the_idempotency_table():
    retained = synthesized("PatternA", public="true", retain_data="true")  # = pattern_a_public
    assert retained.json["Resources"][idempotency_table(retained)]["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize("stack_id", STACKS)
def test_no_reserved_concurrency_by_default(synths, stack_id):
    functions = synths[stack_id].resources("AWS::Lambda::Function").values()
    assert [f["Properties"].get("ReservedConcurrentExecutions") for f in functions] == [None] * len(
        functions
    )


@pytest.mark.parametrize(("stack_id", "functions"), [("PatternC", 7), ("PatternG", 3)])
def test_max_concurrency_reserves_it_on_every_function_of_the_stack(capped, stack_id, functions):
    found = capped[stack_id].resources("AWS::Lambda::Function")
    # Custom-resource providers (none today) would be CDK's, not the pattern's.
    assert len(found) == functions
    assert {
        json.dumps(f["Properties"]["ReservedConcurrentExecutions"]) for f in found.values()
    } == {"3"}


def test_max_concurrency_must_be_a_whole_number():
    with pytest.raises(ValueError, match="max_concurrency"):
        synthesized("PatternA", max_concurrency="lots")
