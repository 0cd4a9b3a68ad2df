"""How many DynamoDB calls a chat turn costs (issue 12): counted at the client, per table."""

from __future__ import annotations

from collections import Counter

import boto3
import pytest

from pattern_core import collaborators
from pattern_core.collaborators import dynamodb_client
from pattern_d import handler as pattern_d
from pattern_e import handler as pattern_e
from tests.integration.chat_harness import (  # noqa: F401 - fixtures
    SESSIONS_TABLE,
    TOMORROW,
    chat,
    chat_env,
    offline_model,
)
from tests.integration.conftest import TABLE

HOOK = "count-dynamodb-calls"


class DynamoCalls:
    """Every DynamoDB call made through boto3's default session, as (table, operation)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, model, params, **_kwargs) -> None:
        tables = params.get("RequestItems") or {params.get("TableName"): None}
        for table in tables:
            self.calls.append((table, model.name))

    def take(self) -> Counter:
        taken, self.calls = Counter(self.calls), []
        return taken


@pytest.fixture
def dynamo_calls(request):
    """Counts the calls of every client the handlers use: clients created from boto3's default
    session share its event hooks, and the bookings client is kept per process (it may
    predate this test's session)."""
    request.getfixturevalue("chat_env")
    calls = DynamoCalls()
    emitters = {
        id(events): events
        for events in (boto3._get_default_session().events, dynamodb_client().meta.events)
    }
    for events in emitters.values():
        events.register("before-parameter-build.dynamodb", calls, unique_id=HOOK)
    yield calls
    for events in emitters.values():
        events.unregister("before-parameter-build.dynamodb", unique_id=HOOK)


def by_table(calls: Counter, table: str) -> dict[str, int]:
    return {operation: n for (name, operation), n in calls.items() if name == table}


@pytest.mark.parametrize("module", [pattern_d, pattern_e], ids=["D", "E"])
def test_a_two_turn_conversation_costs_the_session_one_read_and_one_write_a_turn(
    module, dynamo_calls
):
    collaborators.reset()

    # Turn 1 books; before issue 12, E's session alone cost 13 calls here (Query 5,
    # UpdateItem 4, BatchWriteItem 4) and D's 4 (Query 2, UpdateItem 1, BatchWriteItem 1)
    status, first = chat(module.handler, {"message": "Book tomorrow at 3pm", "session_id": "s1"})
    assert status == 200, first
    assert (first["booking"]["date"], first["booking"]["time"]) == (TOMORROW, "15:00")
    calls = dynamo_calls.take()
    assert by_table(calls, SESSIONS_TABLE) == {"Query": 1, "BatchWriteItem": 1}
    # The booking itself: one read of 15:00's slots and the caller's ledger, the ledger's
    # conditional write and the slot's conditional put (booking.store): 5 calls in all
    assert by_table(calls, TABLE) == {"BatchGetItem": 1, "UpdateItem": 1, "PutItem": 1}
    assert sum(calls.values()) == 5

    # Turn 2 only reads the schedule (the court booked in turn 1 is no longer free)
    status, second = chat(
        module.handler, {"message": "What's free tomorrow afternoon?", "session_id": "s1"}
    )
    assert status == 200, second
    assert second["booking"] is None and "15:00 (Court B, Court C)" in second["reply"]
    calls = dynamo_calls.take()
    assert by_table(calls, SESSIONS_TABLE) == {"Query": 1, "BatchWriteItem": 1}
    assert sum(calls.values()) == 3
