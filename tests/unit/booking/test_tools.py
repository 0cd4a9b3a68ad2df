"""The tool contract: arguments, identity, and the turn's write budget."""

import json

from booking.effects import TurnEffects, WriteBudget
from booking.tools import TOOLS, TOOLS_BY_NAME, invoke_tool
from tests.utils import owners

DAY = "2026-11-25"


def slot(time: str, court: str = "CourtB") -> str:
    return f"{DAY}_{court}_{time.replace(':', '')}"


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
        json.dumps({"slot_id": slot("15:00"), "user_id": "mallory"}),
        effects=TurnEffects(),
    )
    assert result["booking"]["slot_id"] == slot("15:00")
    assert owners(store).get(slot("15:00")) == "alice"


def test_tool_errors_are_messages_the_model_can_act_on(service):
    invoke_tool("book_slot", service, "alice", {"slot_id": slot("15:00")}, effects=TurnEffects())

    effects = TurnEffects()
    taken = invoke_tool("book_slot", service, "bob", {"slot_id": slot("15:00")}, effects=effects)
    bad_args = invoke_tool(
        "check_availability", service, "bob", {"date": 20261125}, effects=effects
    )
    unknown = invoke_tool("delete_everything", service, "bob", {}, effects=effects)
    not_json = TOOLS_BY_NAME["book_slot"].invoke(service, "bob", "{not json", effects=effects)

    assert taken["error"]["code"] == "slot_taken"
    assert taken["error"]["alternatives"][0]["slot_id"] == slot("15:00", "CourtA")
    assert (
        bad_args["error"]["code"] == "invalid_arguments" and "date" in bad_args["error"]["message"]
    )
    assert unknown["error"]["code"] == "unknown_tool"
    assert not_json["error"]["code"] == "invalid_arguments"
    assert not effects.changed_anything and not effects.ended


def test_check_availability_returns_bookable_slot_ids(service):
    result = invoke_tool(
        "check_availability",
        service,
        "alice",
        {"date": DAY, "time": "15:00"},
        effects=TurnEffects(),
    )
    assert [s["slot_id"] for s in result["free_slots"]] == [
        slot("15:00", "CourtA"),
        slot("15:00", "CourtB"),
        slot("15:00", "CourtC"),
    ]


def test_bookings_past_the_turn_budget_are_refused_and_end_the_turn(service, store):
    # Given a turn that may book two courts
    effects = TurnEffects(WriteBudget(max_bookings=2))

    # When the model asks for three
    results = [
        invoke_tool("book_slot", service, "alice", {"slot_id": slot(t)}, effects=effects)
        for t in ("14:00", "15:00", "16:00")
    ]

    # Then two were booked and recorded, the third refused with an actionable error
    assert [r.get("booking", {}).get("slot_id") for r in results[:2]] == [
        slot("14:00"),
        slot("15:00"),
    ]
    assert results[2]["error"]["code"] == "turn_write_limit"
    assert "at most 2 courts" in results[2]["error"]["message"]
    assert [b.slot_id for b in effects.bookings] == [slot("14:00"), slot("15:00")]
    assert effects.ended and effects.ended_by == "book"
    assert owners(store).get(slot("16:00")) is None


def test_a_booking_the_rules_refuse_gives_its_claim_back(service):
    # Given a turn that may book one court, and a slot someone else holds
    invoke_tool("book_slot", service, "bob", {"slot_id": slot("15:00")}, effects=TurnEffects())
    effects = TurnEffects(WriteBudget(max_bookings=1))

    # When the first attempt is refused (taken) and the second is free
    taken = invoke_tool("book_slot", service, "alice", {"slot_id": slot("15:00")}, effects=effects)
    booked = invoke_tool("book_slot", service, "alice", {"slot_id": slot("16:00")}, effects=effects)

    # Then the refusal cost nothing: the second booking was within the budget
    assert taken["error"]["code"] == "slot_taken"
    assert booked["booking"]["slot_id"] == slot("16:00")
    assert not effects.ended


def test_cancellations_past_the_turn_budget_are_refused(service, store):
    made = [
        invoke_tool("book_slot", service, "alice", {"slot_id": slot(t)}, effects=TurnEffects())
        for t in ("14:00", "15:00", "16:00")
    ]
    effects = TurnEffects(WriteBudget(max_cancellations=2))

    results = [
        invoke_tool(
            "cancel_booking",
            service,
            "alice",
            {"booking_id": m["booking"]["booking_id"]},
            effects=effects,
        )
        for m in made
    ]

    assert [r.get("cancelled", {}).get("slot_id") for r in results[:2]] == [
        slot("14:00"),
        slot("15:00"),
    ]
    assert results[2]["error"]["code"] == "turn_write_limit"
    assert [b.slot_id for b in effects.cancellations] == [slot("14:00"), slot("15:00")]
    assert owners(store).get(slot("16:00")) == "alice"  # the refused cancel left it booked
    assert effects.ended_by == "cancel"
