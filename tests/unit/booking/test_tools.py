import json

from booking.tools import TOOLS, TOOLS_BY_NAME, invoke_tool


def test_every_tool_schema_is_openai_strict_compatible():
    for tool in TOOLS:
        schema = tool.parameters_schema()
        assert schema["type"] == "object"
        assert schema["additionalProperties"] is False
        assert set(schema["required"]) == set(schema["properties"])


def test_a_user_id_invented_by_the_model_is_ignored(service, store):
    result = invoke_tool(
        "book_slot",
        service,
        "alice",
        json.dumps({"slot_id": "2026-11-25_CourtB_1500", "user_id": "mallory"}),
    )
    assert result["booking"]["slot_id"] == "2026-11-25_CourtB_1500"
    assert store.owner_of("2026-11-25_CourtB_1500") == "alice"


def test_tool_errors_are_messages_the_model_can_act_on(service):
    invoke_tool("book_slot", service, "alice", {"slot_id": "2026-11-25_CourtB_1500"})

    taken = invoke_tool("book_slot", service, "bob", {"slot_id": "2026-11-25_CourtB_1500"})
    bad_args = invoke_tool("check_availability", service, "bob", {"date": 20261125})
    unknown = invoke_tool("delete_everything", service, "bob", {})
    not_json = TOOLS_BY_NAME["book_slot"].invoke(service, "bob", "{not json")

    assert taken["error"]["code"] == "slot_taken"
    assert taken["error"]["alternatives"][0]["slot_id"] == "2026-11-25_CourtA_1500"
    assert (
        bad_args["error"]["code"] == "invalid_arguments" and "date" in bad_args["error"]["message"]
    )
    assert unknown["error"]["code"] == "unknown_tool"
    assert not_json["error"]["code"] == "invalid_arguments"


def test_check_availability_returns_bookable_slot_ids(service):
    result = invoke_tool(
        "check_availability", service, "alice", {"date": "2026-11-25", "time": "15:00"}
    )
    assert [s["slot_id"] for s in result["free_slots"]] == [
        "2026-11-25_CourtA_1500",
        "2026-11-25_CourtB_1500",
        "2026-11-25_CourtC_1500",
    ]
