"""Pattern H's action Lambda follows the tool contract: booking by description and moving a
booking, as the Bedrock action group and the AgentCore gateway send them."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest

from booking.effects import DynamoTurnCounter
from pattern_h import actions
from tests.conftest import TABLE
from tests.unit.pattern_h.test_action_handler import ALICE, invoke
from tests.utils import lambda_context, load_event, owners

DAY = "2026-11-25"


@pytest.fixture(autouse=True)
def use_service(monkeypatch, service):
    monkeypatch.setattr(actions, "booking_service", lambda: service)


@pytest.fixture(autouse=True)
def turn_counters(monkeypatch, dynamodb):
    monkeypatch.setattr(
        actions, "turn_counter", lambda turn_id: DynamoTurnCounter(dynamodb, TABLE, turn_id)
    )


def action(tool: str, **arguments) -> dict:
    """A recorded action-group POST for `tool`, with these body properties (as strings, as
    Bedrock sends them)."""
    event = copy.deepcopy(load_event("bedrock_action_book_slot"))
    event["apiPath"] = f"/{tool}"
    event["requestBody"]["content"]["application/json"]["properties"] = [
        {
            "name": name,
            "type": "integer" if isinstance(value, int) else "string",
            "value": str(value),
        }
        for name, value in arguments.items()
    ]
    return event


def test_the_action_group_books_a_part_of_the_day_and_the_nth_slot(store):
    status, afternoon = invoke(action("book_slot", date=DAY, part_of_day="afternoon"))
    second, nth = invoke(action("book_slot", date=DAY, part_of_day="evening", position=2))

    assert (status, second) == (200, 200)
    assert afternoon["booking"]["slot_id"] == f"{DAY}_CourtA_1400"
    assert nth["booking"]["slot_id"] == f"{DAY}_CourtB_1700"
    assert owners(store) == {f"{DAY}_CourtA_1400": ALICE, f"{DAY}_CourtB_1700": ALICE}


def test_the_action_group_refuses_an_unknown_court_by_name(store):
    status, body = invoke(action("book_slot", date=DAY, time="15:00", court="Court D"))

    assert status == 404 and body["error"]["code"] == "unknown_court"
    assert "Court D" in body["error"]["message"]
    assert owners(store) == {}


def test_the_action_group_moves_a_booking_and_spends_two_writes_of_the_turn(
    service, store, dynamodb
):
    held = service.book(f"{DAY}_CourtA_1400", ALICE)
    event = action("move_booking", booking_id=held.booking_id, court="Court B")

    status, body = invoke(event)

    assert status == 200
    assert body["booking"]["slot_id"] == f"{DAY}_CourtB_1400"
    assert body["cancelled"]["booking_id"] == held.booking_id
    assert owners(store) == {f"{DAY}_CourtB_1400": ALICE}
    counted = dynamodb.get_item(
        TableName=TABLE,
        Key={"pk": {"S": f"TURN#{event['sessionAttributes']['turn_id']}"}, "sk": {"S": "WRITES"}},
    )["Item"]
    assert counted["book"]["N"] == "1" and counted["cancel"]["N"] == "1"


def test_the_gateway_moves_a_booking_with_only_a_time(service, store):
    held = service.book(f"{DAY}_CourtA_1400", ALICE)
    custom = copy.deepcopy(load_event("agentcore_gateway_book_slot")["clientContext"]["custom"])
    custom["bedrockAgentCoreToolName"] = "booking___move_booking"
    custom["bedrockAgentCorePropagatedHeaders"] = {
        "X-Patterns-User-Id": ALICE,
        "X-Patterns-Turn-Id": "turn-9",
    }
    context = lambda_context("pattern-h-actions")
    context.client_context = SimpleNamespace(custom=custom)

    result = actions.handler({"booking_id": held.booking_id, "time": "16:00"}, context)

    assert result["booking"]["slot_id"] == f"{DAY}_CourtA_1600"
    assert owners(store) == {f"{DAY}_CourtA_1600": ALICE}
