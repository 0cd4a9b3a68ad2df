"""Integration helpers: what the moto bookings table (tests/conftest.py) holds, the sessions and
idempotency tables a chat handler needs next to it, and the local DynamoDB server with a way to
race threads against it (moto serialises nothing across threads, so concurrency is proved
there)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

import boto3
import pytest

from booking.errors import BookingError
from local.aws_overrides import AwsOverrides
from local.dynamodb import (
    create_idempotency_table,
    create_sessions_table,
    reset,
)
from tests.conftest import TABLE

SESSIONS_TABLE = "sessions-under-test"
IDEMPOTENCY_TABLE = "idempotency-under-test"


def booking_items(client) -> list[tuple[str, str]]:
    """(slot_id, owner) of every booking stored, sorted. A scan also meets each caller's
    ledger item (booking.store), which is not a booking and has no slot_id."""
    items = client.scan(TableName=TABLE)["Items"]
    return sorted((i["slot_id"]["S"], i["user_id"]["S"]) for i in items if "slot_id" in i)


@pytest.fixture
def chat_tables(dynamodb):
    """The sessions and idempotency tables, made next to this test's bookings table."""
    create_sessions_table(dynamodb, SESSIONS_TABLE)
    create_idempotency_table(dynamodb, IDEMPOTENCY_TABLE)
    return dynamodb


def empty_table(client, name: str) -> None:
    """Delete every item of a table (a few dozen at most in a test), keeping the table: one
    scan, and a batch delete if anything was there."""
    keys = _key_names(client, name)
    items = client.scan(
        TableName=name,
        ProjectionExpression=", ".join(f"#k{n}" for n in range(len(keys))),
        ExpressionAttributeNames={f"#k{n}": key for n, key in enumerate(keys)},
    )
    assert "LastEvaluatedKey" not in items, f"{name}: more items than one test makes"
    for start in range(0, len(items["Items"]), 25):
        batch = items["Items"][start : start + 25]
        written = client.batch_write_item(
            RequestItems={name: [{"DeleteRequest": {"Key": item}} for item in batch]}
        )
        assert not written["UnprocessedItems"], written


@functools.cache
def _key_names(client, name: str) -> tuple[str, ...]:
    schema = client.describe_table(TableName=name)["Table"]["KeySchema"]
    return tuple(key["AttributeName"] for key in schema)


@pytest.fixture
def database(local_dynamodb_server):
    """The local DynamoDB server (dynalite; one per test process) with the runtime's tables,
    emptied for this test."""
    reset(local_dynamodb_server)
    return local_dynamodb_server


def aws_overrides() -> AwsOverrides:
    """`AwsOverrides` on boto3's default session as it is: `AwsOverrides()` first replaces it
    with a new, empty session (~60 ms CPU, and every client after it loads its models again)."""
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    return AwsOverrides(boto3.DEFAULT_SESSION)


@functools.cache
def _parse_once():
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    return AmazonStateLanguageParser, functools.lru_cache(maxsize=8)(
        AmazonStateLanguageParser.parse
    )


def parse_each_definition_once(monkeypatch) -> None:
    """moto parses a state machine's definition (ANTLR, ~0.7 s CPU for pattern C's) when it is
    created and again for every execution. The parsed program holds no execution's state (that
    lives in each execution's own environment), so one parse per definition text serves every
    execution in this process: the same definition, the same interpreter, run the same way."""
    parser, parse = _parse_once()
    monkeypatch.setattr(parser, "parse", staticmethod(parse))


def race(count: int, attempt: Callable[[int], object]) -> list[object]:
    """Run attempt(0..count-1) in threads released together; each result or raised error."""
    results: list[object] = [None] * count
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        barrier.wait(timeout=30)
        try:
            results[n] = attempt(n)
        except BookingError as refused:
            results[n] = refused

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
