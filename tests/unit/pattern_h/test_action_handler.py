"""Pattern H's action Lambda against real Bedrock action-group and AgentCore gateway shapes."""

from __future__ import annotations

import copy
import json
from types import SimpleNamespace

import pytest

from booking.effects import DynamoTurnCounter
from pattern_h import actions
from tests.conftest import TABLE
from tests.utils import lambda_context, load_event, owners

ALICE = "arn:aws:iam::123456789012:user/alice"


@pytest.fixture(autouse=True)
def use_service(monkeypatch, service):
    monkeypatch.setattr(actions, "booking_service", lambda: service)


@pytest.fixture(autouse=True)
def turn_counters(monkeypatch, dynamodb):
    """Each turn's counter is an item in the same moto bookings table, as deployed."""
    monkeypatch.setattr(
        actions,
        "turn_counter",
        lambda turn_id: DynamoTurnCounter(dynamodb, TABLE, turn_id),
    )
    return dynamodb


def book_event(time: str, turn_id: str = "turn-1") -> dict:
    event = load_event("bedrock_action_book_slot")
    slot_id = f"2026-11-25_CourtA_{time.replace(':', '')}"
    event["requestBody"]["content"]["application/json"]["properties"][0]["value"] = slot_id
    event["sessionAttributes"]["turn_id"] = turn_id
    return event


def invoke(event: dict) -> tuple[int, dict]:
    response = actions.handler(event, lambda_context("pattern-h-actions"))
    result = response["response"]
    assert result["actionGroup"] == event["actionGroup"]
    assert result["apiPath"] == event["apiPath"]
    assert result["httpMethod"] == event["httpMethod"]
    body = json.loads(result["responseBody"]["application/json"]["body"])
    return result["httpStatusCode"], body


def gateway_context(tool: str, headers: dict | None = None) -> SimpleNamespace:
    custom = copy.deepcopy(load_event("agentcore_gateway_book_slot")["clientContext"]["custom"])
    custom["bedrockAgentCoreToolName"] = f"booking___{tool}"
    if headers is not None:
        custom["bedrockAgentCorePropagatedHeaders"] = headers
    context = lambda_context("pattern-h-actions")
    context.client_context = SimpleNamespace(custom=custom)
    return context


def test_check_availability_reads_query_parameters_and_lists_free_slots():
    status, body = invoke(load_event("bedrock_action_check_availability"))

    assert status == 200
    assert [s["slot_id"] for s in body["free_slots"]] == [
        "2026-11-25_CourtA_1500",
        "2026-11-25_CourtB_1500",
        "2026-11-25_CourtC_1500",
    ]


def test_check_availability_without_a_time_lists_the_whole_day():
    event = load_event("bedrock_action_check_availability")
    event["parameters"] = [p for p in event["parameters"] if p["name"] != "time"]

    status, body = invoke(event)

    assert status == 200 and body["time"] is None
    assert len(body["free_slots"]) == 21  # 7 start times x 3 courts, all free tomorrow


def test_book_slot_books_for_the_session_attribute_user(store):
    status, body = invoke(load_event("bedrock_action_book_slot"))

    assert status == 200
    assert body["booking"]["slot_id"] == "2026-11-25_CourtA_1500"
    assert owners(store).get("2026-11-25_CourtA_1500") == ALICE


def test_a_user_id_the_model_adds_to_the_body_is_ignored(store):
    event = load_event("bedrock_action_book_slot")
    event["requestBody"]["content"]["application/json"]["properties"].append(
        {"name": "user_id", "type": "string", "value": "mallory"}
    )

    status, _ = invoke(event)

    assert status == 200
    assert owners(store).get("2026-11-25_CourtA_1500") == ALICE


def test_without_the_user_session_attribute_nothing_is_booked(store):
    event = load_event("bedrock_action_book_slot")
    event["sessionAttributes"] = {}

    status, body = invoke(event)

    assert status == 401 and body["error"]["code"] == "unauthenticated"
    assert owners(store).get("2026-11-25_CourtA_1500") is None


def test_a_taken_slot_returns_409_with_free_alternatives(service):
    service.book("2026-11-25_CourtA_1500", "bob")

    status, body = invoke(load_event("bedrock_action_book_slot"))

    assert status == 409 and body["error"]["code"] == "slot_taken"
    assert "2026-11-25_CourtB_1500" in [s["slot_id"] for s in body["error"]["alternatives"]]


def test_a_missing_argument_is_an_actionable_400_not_an_exception(store):
    event = load_event("bedrock_action_book_slot")
    event["requestBody"]["content"]["application/json"]["properties"] = []

    status, body = invoke(event)

    assert status == 400 and body["error"]["code"] == "invalid_arguments"
    assert "slot_id" in body["error"]["message"]
    assert owners(store) == {}


def test_a_malformed_slot_id_is_refused_with_the_expected_format():
    event = load_event("bedrock_action_book_slot")
    event["requestBody"]["content"]["application/json"]["properties"][0]["value"] = "tomorrow"

    status, body = invoke(event)

    assert status == 422 and body["error"]["code"] == "invalid_request"
    assert "2026-11-24_CourtB_1500" in body["error"]["message"]  # says what an id looks like


def test_list_bookings_lists_only_the_callers_bookings(service):
    service.book("2026-11-25_CourtA_1500", ALICE)
    service.book("2026-11-25_CourtB_1500", "bob")

    status, body = invoke(load_event("bedrock_action_list_bookings"))

    assert status == 200
    assert [b["slot_id"] for b in body["bookings"]] == ["2026-11-25_CourtA_1500"]


def test_gateway_tool_call_books_for_the_propagated_user(store):
    recorded = load_event("agentcore_gateway_book_slot")
    context = lambda_context("pattern-h-actions")
    context.client_context = SimpleNamespace(custom=recorded["clientContext"]["custom"])

    result = actions.handler(recorded["event"], context)

    assert result["booking"]["slot_id"] == "2026-11-25_CourtA_1500"
    assert owners(store).get("2026-11-25_CourtA_1500") == ALICE


def test_gateway_tool_call_without_the_identity_header_books_nothing(store):
    event = {"slot_id": "2026-11-25_CourtA_1500", "user_id": ALICE}  # the model can't vouch

    result = actions.handler(event, gateway_context("book_slot", headers={}))

    assert result["error"]["code"] == "unauthenticated"
    assert owners(store) == {}


def test_gateway_check_availability_accepts_an_omitted_time():
    context = gateway_context("check_availability", headers={"X-Patterns-User-Id": ALICE})

    result = actions.handler({"date": "2026-11-25"}, context)

    assert len(result["free_slots"]) == 21


def test_gateway_unknown_tool_is_an_error_result_naming_the_tools():
    context = gateway_context("delete_everything", headers={"x-patterns-user-id": ALICE})

    result = actions.handler({}, context)

    assert result["error"]["code"] == "unknown_tool"
    assert "book_slot" in result["error"]["message"]


def test_one_turn_books_at_most_its_budget_across_separate_invocations(store):
    # Given three action-group calls of one turn (each its own invocation, no shared memory)
    results = [invoke(book_event(t)) for t in ("14:00", "15:00", "16:00")]

    # Then the first two booked and the third was refused with an actionable error
    assert [status for status, _ in results] == [200, 200, 429]
    refused = results[2][1]["error"]
    assert refused["code"] == "turn_write_limit" and "at most 2 courts" in refused["message"]
    assert sorted(owners(store)) == ["2026-11-25_CourtA_1400", "2026-11-25_CourtA_1500"]


def test_the_budget_is_per_turn(store):
    for time in ("14:00", "15:00"):
        invoke(book_event(time, turn_id="turn-1"))

    status, body = invoke(book_event("16:00", turn_id="turn-2"))

    assert status == 200 and body["booking"]["slot_id"] == "2026-11-25_CourtA_1600"


def test_a_write_refused_by_the_rules_does_not_spend_the_budget(service, store):
    service.book("2026-11-25_CourtA_1400", "bob")
    assert invoke(book_event("14:00"))[0] == 409

    statuses = [invoke(book_event(t))[0] for t in ("15:00", "16:00")]

    assert statuses == [200, 200]


def test_the_turn_counter_is_one_item_with_a_ttl(turn_counters):
    invoke(book_event("14:00", turn_id="abc"))

    # (the table also holds the booking and alice's ledger, as deployed)
    items = [
        i for i in turn_counters.scan(TableName=TABLE)["Items"] if i["pk"]["S"].startswith("TURN#")
    ]
    assert [(i["pk"]["S"], i["book"]["N"]) for i in items] == [("TURN#abc", "1")]
    assert int(items[0]["expires_at"]["N"]) > 0


def test_a_write_without_a_turn_id_is_refused(store):
    event = load_event("bedrock_action_book_slot")
    del event["sessionAttributes"]["turn_id"]

    status, body = invoke(event)

    assert status == 400 and body["error"]["code"] == "missing_turn"
    assert owners(store) == {}


def test_gateway_calls_of_one_turn_share_its_budget(store):
    headers = {"X-Patterns-User-Id": ALICE, "X-Patterns-Turn-Id": "turn-9"}
    results = [
        actions.handler(
            {"slot_id": f"2026-11-25_CourtB_{t}"}, gateway_context("book_slot", headers=headers)
        )
        for t in ("1400", "1500", "1600")
    ]

    assert [r.get("error", {}).get("code") for r in results] == [None, None, "turn_write_limit"]
    assert len(owners(store)) == 2


def test_gateway_write_without_the_turn_header_books_nothing(store):
    context = gateway_context("book_slot", headers={"X-Patterns-User-Id": ALICE})

    result = actions.handler({"slot_id": "2026-11-25_CourtB_1400"}, context)

    assert result["error"]["code"] == "missing_turn" and owners(store) == {}
