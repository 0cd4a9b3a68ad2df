"""The local stand-in for Bedrock's agent loop builds what Bedrock would: tools from the
generated schema, and action-group events in Bedrock's shape (values as strings, GET arguments
as `parameters`, POST arguments as `requestBody`, the invoker's session attributes)."""

from __future__ import annotations

from local.bedrock_simulation import SimulatedManagedAgent

PARAMS = {
    "agentId": "LOCALAGENT",
    "agentAliasId": "LOCALALIAS",
    "sessionId": "abc123",
    "inputText": "Book tomorrow at 3pm",
}
ATTRIBUTES = {"user_id": "alice", "today": "2026-11-24"}


def simulation(tmp_path) -> SimulatedManagedAgent:
    return SimulatedManagedAgent(runtime=None, sessions=tmp_path)


def test_model_tools_are_the_generated_schemas_operations(tmp_path):
    tools = {t["function"]["name"]: t["function"] for t in simulation(tmp_path).tools}

    assert set(tools) == {
        "check_availability",
        "book_slot",
        "move_booking",
        "list_bookings",
        "cancel_booking",
    }
    check = tools["check_availability"]["parameters"]
    assert check["required"] == ["date"]
    assert check["properties"]["time"]["type"] == ["string", "null"]  # OpenAPI `nullable`
    assert "user_id" not in str(tools)


def test_a_read_becomes_a_get_with_string_parameters_and_no_body(tmp_path):
    event = simulation(tmp_path).action_group_event(
        "check_availability", {"date": "2026-11-25", "time": None}, PARAMS, ATTRIBUTES, {}
    )

    assert (event["apiPath"], event["httpMethod"]) == ("/check_availability", "GET")
    assert event["parameters"] == [{"name": "date", "type": "string", "value": "2026-11-25"}]
    assert "requestBody" not in event
    assert event["sessionAttributes"] == ATTRIBUTES
    assert event["messageVersion"] == "1.0" and event["actionGroup"] == "booking"


def test_a_write_becomes_a_post_with_request_body_properties(tmp_path):
    event = simulation(tmp_path).action_group_event(
        "book_slot", {"slot_id": "2026-11-25_CourtA_1500"}, PARAMS, ATTRIBUTES, {}
    )

    assert (event["apiPath"], event["httpMethod"]) == ("/book_slot", "POST")
    assert event["parameters"] == []
    assert event["requestBody"]["content"]["application/json"]["properties"] == [
        {"name": "slot_id", "type": "string", "value": "2026-11-25_CourtA_1500"}
    ]
