"""The offline model's decisions on hand-built conversations: which tool next, or what to say."""

from __future__ import annotations

import json

import jsonschema
import pytest

from local.offline_model.policy import (
    MAX_TOOL_CALLS_PER_TURN,
    CallTool,
    Conversation,
    Message,
    Reply,
    decide,
)
from local.offline_model.toolbox import ToolSpec
from tests.unit.offline_model.builders import TOMORROW, Script, booking, legacy_tools, slot

# With a contract that books by slot id only (legacy_tools), the stand-in checks first.
LEGACY = legacy_tools()
CHECK_AT_3 = {"date": TOMORROW, "time": "15:00"}
CHECK_DAY = {"date": TOMORROW, "time": None}
# The project's contract: check by part of day, book by description, move.
CHECK_AFTERNOON = {"date": TOMORROW, "time": None, "part_of_day": "afternoon"}
NOT_BY_ID = {"slot_id": None, "court": None, "part_of_day": None, "position": None}
BY_ID = {"date": None, "time": None, "court": None, "part_of_day": None, "position": None}


def free(time: str | None, *slots: dict) -> dict:
    return {"date": TOMORROW, "time": time, "free_slots": list(slots)}


def test_booking_checks_availability_first():
    script = Script("Book Court B tomorrow at 3pm")

    assert decide(script.conversation(LEGACY)) == CallTool("check_availability", CHECK_AT_3)


def test_books_the_preferred_court_when_it_is_free():
    script = Script("Book Court B tomorrow at 3pm").tool(
        "check_availability",
        CHECK_AT_3,
        free("15:00", slot("Court A", "15:00"), slot("Court B", "15:00")),
    )

    assert decide(script.conversation(LEGACY)) == CallTool(
        "book_slot", {"slot_id": "2026-11-25_CourtB_1500"}
    )


def test_books_the_first_free_court_when_none_is_preferred():
    script = Script("Book tomorrow at 3pm").tool(
        "check_availability", CHECK_AT_3, free("15:00", slot("Court C", "15:00"))
    )

    assert decide(script.conversation(LEGACY)) == CallTool(
        "book_slot", {"slot_id": "2026-11-25_CourtC_1500"}
    )


def test_confirms_only_the_booking_the_tool_returned():
    made = booking("Court B", "15:00")
    script = (
        Script("Book Court B tomorrow at 3pm")
        .tool("check_availability", CHECK_AT_3, free("15:00", slot("Court B", "15:00")))
        .tool("book_slot", {"slot_id": made["slot_id"]}, {"booking": made})
    )

    reply = decide(script.conversation())

    assert isinstance(reply, Reply)
    assert "Court B" in reply.text and "Wed 25 Nov" in reply.text and "15:00" in reply.text
    assert made["booking_id"] in reply.text


def test_a_full_time_looks_up_the_whole_day_then_offers_the_nearest_times():
    script = Script("Book tomorrow at 3pm").tool("check_availability", CHECK_AT_3, free("15:00"))

    assert decide(script.conversation(LEGACY)) == CallTool("check_availability", CHECK_DAY)

    script.tool(
        "check_availability",
        CHECK_DAY,
        free(None, slot("Court A", "09:00"), slot("Court A", "14:00"), slot("Court C", "16:00")),
    )
    reply = decide(script.conversation(LEGACY))

    assert isinstance(reply, Reply)
    assert "fully booked" in reply.text
    assert "14:00 (Court A), 16:00 (Court C)" in reply.text
    assert "Booked" not in reply.text


def test_a_slot_taken_in_a_race_retries_the_same_time_on_another_court_once():
    taken = {
        "error": {
            "code": "slot_taken",
            "message": "2026-11-25_CourtB_1500 is already booked.",
            "alternatives": [slot("Court C", "15:00"), slot("Court A", "16:00")],
        }
    }
    script = (
        Script("Book tomorrow at 3pm")
        .tool("check_availability", CHECK_AT_3, free("15:00", slot("Court B", "15:00")))
        .tool("book_slot", {"slot_id": "2026-11-25_CourtB_1500"}, taken)
    )

    assert decide(script.conversation(LEGACY)) == CallTool(
        "book_slot", {"slot_id": "2026-11-25_CourtC_1500"}
    )

    taken_again = {"error": {**taken["error"], "alternatives": [slot("Court A", "16:00")]}}
    script.tool("book_slot", {"slot_id": "2026-11-25_CourtC_1500"}, taken_again)
    reply = decide(script.conversation(LEGACY))

    assert isinstance(reply, Reply)
    assert reply.text.startswith("Sorry, 2026-11-25_CourtB_1500 is already booked.")
    assert "16:00 (Court A)" in reply.text


def test_other_domain_errors_are_passed_on_in_plain_words():
    script = Script("Book on 2026-12-20 at 3pm").tool(
        "check_availability",
        {"date": "2026-12-20", "time": "15:00"},
        {"error": {"code": "outside_booking_window", "message": "Bookable up to 2026-11-30."}},
    )

    reply = decide(script.conversation())

    assert reply == Reply("Sorry, I couldn't do that: Bookable up to 2026-11-30.")


def test_a_booking_without_a_day_asks_for_it():
    reply = decide(Script("Book a court at 3pm").conversation())

    assert isinstance(reply, Reply) and "Which day" in reply.text


def test_a_slot_taken_on_the_stated_court_is_never_swapped_for_another_court():
    taken = {
        "error": {
            "code": "slot_taken",
            "message": "Taken.",
            "alternatives": [slot("Court C", "15:00")],
        }
    }
    script = (
        Script("Book Court B tomorrow at 3pm")
        .tool("check_availability", CHECK_AT_3, free("15:00", slot("Court B", "15:00")))
        .tool("book_slot", {"slot_id": "2026-11-25_CourtB_1500"}, taken)
    )

    reply = decide(script.conversation(LEGACY))

    assert isinstance(reply, Reply) and reply.text.startswith("Sorry, Taken.")
    assert "slot 2026-11-25_CourtC_1500" in reply.text  # offered, not booked


def test_a_booking_without_a_time_lists_the_options_and_asks():
    script = Script("Book something tomorrow").tool(
        "check_availability",
        CHECK_DAY,
        free(None, slot("Court A", "10:00"), slot("Court A", "14:00"), slot("Court B", "14:00")),
    )

    reply = decide(script.conversation(LEGACY))

    assert isinstance(reply, Reply)
    assert "10:00 (Court A), 14:00 (Court A, Court B)" in reply.text
    assert "Which time" in reply.text


def test_a_check_lists_free_times_in_the_part_of_day():
    script = Script("What's free tomorrow afternoon?")
    assert decide(script.conversation(LEGACY)) == CallTool("check_availability", CHECK_DAY)

    script.tool(
        "check_availability",
        CHECK_DAY,
        free(
            None,
            slot("Court A", "09:00"),
            slot("Court A", "14:00"),
            slot("Court B", "14:00"),
            slot("Court A", "15:00"),
            slot("Court C", "17:00"),
        ),
    )

    assert decide(script.conversation(LEGACY)) == Reply(
        "Free on Wed 25 Nov in the afternoon: 14:00 (Court A, Court B), 15:00 (Court A)."
    )


def test_a_check_by_part_of_day_asks_the_contract_for_that_part():
    script = Script("What's free tomorrow afternoon?")
    assert decide(script.conversation()) == CallTool("check_availability", CHECK_AFTERNOON)

    result = {**free(None, slot("Court A", "14:00")), "part_of_day": "afternoon"}
    script.tool("check_availability", CHECK_AFTERNOON, result)

    assert decide(script.conversation()) == Reply(
        "Free on Wed 25 Nov in the afternoon: 14:00 (Court A)."
    )


def test_a_check_without_a_day_means_today():
    script = Script("Anything free at 4pm?")

    assert decide(script.conversation()) == CallTool(
        "check_availability", {"date": "2026-11-24", "time": "16:00", "part_of_day": None}
    )


def test_a_follow_up_books_from_the_earlier_turn():
    script = (
        Script("What's free tomorrow afternoon?")
        .tool("check_availability", CHECK_DAY, free(None, slot("Court A", "15:00")))
        .assistant("Free on Wed 25 Nov in the afternoon: 15:00 (Court A).")
        .user("Book the 3pm one")
    )

    assert decide(script.conversation(LEGACY)) == CallTool("check_availability", CHECK_AT_3)
    assert decide(script.conversation()) == CallTool(
        "book_slot", {**NOT_BY_ID, "date": TOMORROW, "time": "15:00"}
    )


def test_list_calls_the_tool_then_reports_what_it_returned():
    script = Script("What have I booked?")
    assert decide(script.conversation()) == CallTool("list_bookings", {})

    script.tool("list_bookings", {}, {"bookings": [booking("Court A", "09:00")]})
    reply = decide(script.conversation())

    assert isinstance(reply, Reply)
    assert "1 booking" in reply.text and "2026-11-25_CourtA_0900.a1b2c3d4" in reply.text


def test_cancel_with_a_booking_id_cancels_it():
    booking_id = "2026-11-25_CourtB_1500.a1b2c3d4"

    assert decide(Script(f"Cancel {booking_id}").conversation()) == CallTool(
        "cancel_booking", {"booking_id": booking_id}
    )


def test_cancel_by_day_and_time_finds_the_booking_first():
    mine = [booking("Court A", "09:00"), booking("Court B", "15:00", suffix="ffff0000")]
    script = Script("Cancel my booking tomorrow at 3pm")
    assert decide(script.conversation()) == CallTool("list_bookings", {})

    script.tool("list_bookings", {}, {"bookings": mine})
    assert decide(script.conversation()) == CallTool(
        "cancel_booking", {"booking_id": "2026-11-25_CourtB_1500.ffff0000"}
    )

    script.tool("cancel_booking", {"booking_id": mine[1]["booking_id"]}, {"cancelled": mine[1]})
    reply = decide(script.conversation())
    assert isinstance(reply, Reply) and reply.text.startswith("Cancelled your booking: Court B")


def test_cancel_asks_which_one_when_several_match():
    mine = [booking("Court A", "09:00"), booking("Court B", "15:00")]
    script = Script("Cancel my booking tomorrow").tool("list_bookings", {}, {"bookings": mine})

    reply = decide(script.conversation())

    assert isinstance(reply, Reply) and "Which one should I cancel?" in reply.text


def test_never_repeats_a_call_with_the_same_arguments_in_one_turn():
    # The tool answered about another day: asking again the same way would loop.
    script = Script("What's free tomorrow?").tool(
        "check_availability", CHECK_DAY, {"date": "2026-11-30", "time": None, "free_slots": []}
    )

    assert isinstance(decide(script.conversation(LEGACY)), Reply)


def test_stops_calling_tools_after_the_per_turn_bound():
    script = Script("Book tomorrow at 3pm")
    for _ in range(MAX_TOOL_CALLS_PER_TURN):
        script.tool("list_bookings", {}, {"bookings": []})

    assert isinstance(decide(script.conversation()), Reply)


def test_hands_off_by_intent():
    handoffs = [
        ToolSpec("transfer_to_availability_agent", "Handoff to the Availability agent."),
        ToolSpec("transfer_to_booking_agent", "Handoff to the Booking agent."),
    ]

    for message, target in [
        ("What's free tomorrow?", "transfer_to_availability_agent"),
        ("Book tomorrow at 3pm", "transfer_to_booking_agent"),
        ("What have I booked?", "transfer_to_booking_agent"),
        ("Cancel 2026-11-25_CourtB_1500.a1b2c3d4", "transfer_to_booking_agent"),
    ]:
        assert decide(Script(message).conversation(handoffs)) == CallTool(target, {})


def test_after_a_handoff_the_specialist_uses_its_own_tools():
    script = Script("Book Court B tomorrow at 3pm").tool(
        "transfer_to_booking_agent", {}, {"assistant": "Booking agent"}
    )

    assert decide(script.conversation()) == CallTool(
        "book_slot", {**NOT_BY_ID, "date": TOMORROW, "time": "15:00", "court": "Court B"}
    )


def test_an_agent_tool_gets_a_self_contained_instruction_and_its_answer_is_the_reply():
    agent_tools = [
        ToolSpec("availability_specialist", "Finds free courts.", _free_text("input")),
        ToolSpec("booking_specialist", "Books and cancels courts.", _free_text("input")),
    ]
    script = (
        Script("What's free tomorrow afternoon?")
        .tool(
            "availability_specialist", {"input": "Check availability on 2026-11-25 afternoon"}, "…"
        )
        .assistant("Free on Wed 25 Nov in the afternoon: 15:00 (Court A).")
        .user("Book the 3pm one")
    )

    assert decide(script.conversation(agent_tools)) == CallTool(
        "booking_specialist", {"input": "Book a court on 2026-11-25 at 15:00"}
    )

    script.tool("booking_specialist", {"input": "…"}, "Booked: Court A on Wed 25 Nov at 15:00.")
    assert decide(script.conversation(agent_tools)) == Reply(
        "Booked: Court A on Wed 25 Nov at 15:00."
    )


def test_bedrock_style_operations_are_matched_by_keyword_and_never_get_a_user_id():
    operations = [
        ToolSpec(
            "checkAvailability",
            "Free slots on a day",
            {
                "type": "object",
                "properties": {
                    "date": {"type": "string"},
                    "time": {"type": "string"},
                    "userId": {"type": "string"},
                },
                "required": ["date", "userId"],
            },
        ),
        ToolSpec("bookSlot", "Book a slot", {"type": "object", "properties": {}}),
    ]

    decision = decide(Script("What's free tomorrow?").conversation(operations))

    assert decision == CallTool("checkAvailability", {"date": TOMORROW})


def test_structured_output_fills_the_schema_from_the_request():
    schema = {
        "type": "object",
        "properties": {
            "intent": {
                "type": "string",
                "enum": ["availability", "reserve", "list", "cancel", "unknown"],
            },
            "date": {"type": ["string", "null"]},
            "time": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "court": {"type": ["string", "null"]},
            "notes": {"type": "string"},
        },
        "required": ["intent", "date", "time", "court", "notes"],
        "additionalProperties": False,
    }
    conversation = Conversation(Script("Reserve court b tomorrow at 3pm").items, (), schema)

    reply = decide(conversation)

    assert isinstance(reply, Reply)
    data = json.loads(reply.text)
    jsonschema.validate(data, schema)
    assert data == {
        "intent": "reserve",
        "date": TOMORROW,
        "time": "15:00",
        "court": "Court B",
        "notes": "",
    }


def test_plain_text_renders_the_facts_it_is_given():
    facts = {"request": {"intent": "book"}, "booking": booking("Court A", "10:00")}
    items = [Message("user", f"Write the reply for these facts: {json.dumps(facts)}")]

    reply = decide(Conversation(items))

    assert reply == Reply(
        "Booked: Court A on Wed 25 Nov at 10:00. "
        "Your booking id is 2026-11-25_CourtA_1000.a1b2c3d4."
    )


def test_plain_text_without_facts_says_what_it_can_do():
    reply = decide(Conversation([Message("user", "hello")]))

    assert isinstance(reply, Reply) and "offline stand-in" in reply.text


def _free_text(name: str) -> dict:
    return {
        "type": "object",
        "properties": {name: {"type": "string"}},
        "required": [name],
        "additionalProperties": False,
    }


# -- the project's contract: one call books what the person described ----------------------


def _books(message: str, **described) -> None:
    assert decide(Script(message).conversation()) == CallTool(
        "book_slot", {**NOT_BY_ID, "date": TOMORROW, "time": None, **described}
    )


def test_a_part_of_day_books_the_earliest_free_slot_in_it_in_one_call():
    _books("Book tomorrow afternoon please", part_of_day="afternoon")


def test_first_available_books_by_position():
    _books("Give me the first available tomorrow", position=1)


def test_a_time_and_a_position_book_that_one_among_the_courts():
    _books("Tomorrow 3pm, first slot", time="15:00", position=1)
    _books("Book the second available slot tomorrow afternoon", part_of_day="afternoon", position=2)


def test_a_day_and_time_book_in_one_call_with_no_availability_round_trip():
    _books("Book tomorrow at 3pm", time="15:00")


def test_an_unknown_court_is_passed_on_for_the_contract_to_refuse_by_name():
    _books("Book Court D tomorrow at 3pm", time="15:00", court="Court D")

    refused = {"error": {"code": "unknown_court", "message": "There is no Court D."}}
    script = Script("Book Court D tomorrow at 3pm").tool("book_slot", {}, refused)
    reply = decide(script.conversation())
    assert isinstance(reply, Reply) and "no Court D" in reply.text and "Booked" not in reply.text


def test_the_nth_one_after_a_listing_is_the_nth_slot_the_listing_showed():
    script = (
        Script("What's free tomorrow afternoon?")
        .tool("check_availability", CHECK_AFTERNOON, free(None, slot("Court A", "14:00")))
        .assistant("Free on Wed 25 Nov in the afternoon: 14:00 (Court A, Court B).")
        .user("The second one please")
    )

    assert decide(script.conversation()) == CallTool(
        "book_slot", {**BY_ID, "slot_id": "2026-11-25_CourtB_1400"}
    )


FULL_AT_THREE = (
    "Sorry, 15:00 on Wed 25 Nov is fully booked. Nearest free times: 14:00 (Court A, Court B, "
    "Court C), 16:00 (Court A, Court B). Shall I book Court A on Wed 25 Nov at 14:00 (slot "
    "2026-11-25_CourtA_1400)?"
)


@pytest.mark.parametrize(
    ("follow_up", "slot_id"),
    [("the second one", "2026-11-25_CourtB_1400"), ("the fifth one", "2026-11-25_CourtB_1600")],
)
def test_the_nth_one_after_the_nearest_free_times_counts_among_the_slots_shown(follow_up, slot_id):
    # Given: 15:00 was full, and the reply listed the nearest free times instead
    script = Script("Book tomorrow at 3pm").assistant(FULL_AT_THREE).user(follow_up)

    # Then: the Nth slot as shown, not the Nth court at the full 15:00
    assert decide(script.conversation()) == CallTool("book_slot", {**BY_ID, "slot_id": slot_id})


def test_a_full_time_offers_one_slot_by_id_and_yes_books_exactly_it():
    full = {
        "error": {
            "code": "no_free_slot",
            "message": "Nothing is free on 2026-11-25 at 15:00.",
            "alternatives": [slot("Court A", "14:00"), slot("Court B", "16:00")],
        }
    }
    script = Script("Book tomorrow at 3pm").tool("book_slot", {}, full)
    offer = decide(script.conversation())
    assert isinstance(offer, Reply) and "(slot 2026-11-25_CourtA_1400)" in offer.text

    script.assistant(offer.text).user("yes please")

    assert decide(script.conversation()) == CallTool(
        "book_slot", {**BY_ID, "slot_id": "2026-11-25_CourtA_1400"}
    )


def test_an_offer_holds_for_the_next_message_only():
    script = (
        Script("Book tomorrow at 3pm")
        .assistant(
            "Sorry. Shall I book Court A on Wed 25 Nov at 14:00 (slot 2026-11-25_CourtA_1400)?"
        )
        .user("What's free on Friday?")
        .assistant("Free on Fri 27 Nov: 09:00 (Court A).")
        .user("yes please")
    )

    decision = decide(script.conversation())

    assert not (isinstance(decision, CallTool) and decision.arguments.get("slot_id"))


def test_a_later_time_keeps_the_day_of_the_full_one():
    script = (
        Script("Book tomorrow at 3pm")
        .tool("book_slot", {}, {"error": {"code": "no_free_slot", "message": "Full."}})
        .assistant("Sorry, 15:00 on Wed 25 Nov is fully booked.")
        .user("4pm then")
    )

    assert decide(script.conversation()) == CallTool(
        "book_slot", {**NOT_BY_ID, "date": TOMORROW, "time": "16:00"}
    )


def test_a_change_after_a_booking_moves_it():
    made = booking("Court A", "15:00")
    script = (
        Script("Book tomorrow at 3pm")
        .tool("book_slot", {**NOT_BY_ID, "date": TOMORROW, "time": "15:00"}, {"booking": made})
        .assistant(
            f"Booked: Court A on Wed 25 Nov at 15:00. Your booking id is {made['booking_id']}."
        )
        .user("Actually make it Court B at 2pm")
    )

    assert decide(script.conversation()) == CallTool(
        "move_booking",
        {**NOT_BY_ID, "booking_id": made["booking_id"], "date": TOMORROW, "time": "14:00",
         "court": "Court B"},
    )  # fmt: skip

    moved = booking("Court B", "14:00", suffix="0000ffff")
    script.tool("move_booking", {}, {"booking": moved, "cancelled": made})
    reply = decide(script.conversation())
    assert isinstance(reply, Reply)
    assert made["booking_id"] in reply.text and reply.text.endswith(f"{moved['booking_id']}.")


def test_a_move_finds_the_booking_in_the_replies_when_no_tool_results_are_kept():
    # Pattern H's agent memory keeps the words of each turn, not its tool calls.
    script = (
        Script("Book tomorrow at 3pm")
        .assistant("Booked: Court A on Wed 25 Nov at 15:00. Your booking id is "
                   "2026-11-25_CourtA_1500.a1b2c3d4.")
        .user("move it to 4pm")
    )  # fmt: skip

    assert decide(script.conversation()) == CallTool(
        "move_booking",
        {**NOT_BY_ID, "booking_id": "2026-11-25_CourtA_1500.a1b2c3d4", "date": TOMORROW,
         "time": "16:00"},
    )  # fmt: skip


def test_a_failed_move_says_why_and_claims_nothing():
    script = Script("Move 2026-11-25_CourtA_1500.a1b2c3d4 to 4pm").tool(
        "move_booking", {}, {"error": {"code": "slot_taken", "message": "Court A is taken."}}
    )

    reply = decide(script.conversation())

    assert isinstance(reply, Reply) and "taken" in reply.text
    assert "Booked" not in reply.text and "Moved" not in reply.text


def test_without_a_move_tool_a_move_books_the_new_slot_then_cancels_the_old():
    old = booking("Court A", "15:00")
    new = booking("Court A", "16:00", suffix="0000ffff")
    script = Script(f"Move {old['booking_id']} to 4pm").tool(
        "check_availability",
        {"date": TOMORROW, "time": "16:00"},
        free("16:00", slot("Court A", "16:00")),
    )
    assert decide(script.conversation(LEGACY)) == CallTool(
        "book_slot", {"slot_id": "2026-11-25_CourtA_1600"}
    )

    script.tool("book_slot", {"slot_id": "2026-11-25_CourtA_1600"}, {"booking": new})
    assert decide(script.conversation(LEGACY)) == CallTool(
        "cancel_booking", {"booking_id": old["booking_id"]}
    )

    script.tool("cancel_booking", {"booking_id": old["booking_id"]}, {"cancelled": old})
    reply = decide(script.conversation(LEGACY))
    assert isinstance(reply, Reply) and reply.text.startswith("Moved")


def test_a_specialist_gets_the_position_and_the_move_in_its_instruction():
    agent_tools = [
        ToolSpec("availability_specialist", "Finds free courts.", _free_text("input")),
        ToolSpec("booking_specialist", "Books and cancels courts.", _free_text("input")),
    ]
    first = decide(Script("Next Monday afternoon, second one").conversation(agent_tools))
    assert first == CallTool(
        "booking_specialist", {"input": "Book the 2nd free slot on 2026-11-30 in the afternoon"}
    )

    script = (
        Script("Book tomorrow at 3pm")
        .tool("booking_specialist", {"input": "…"},
              "Booked: Court A on Wed 25 Nov at 15:00. Your booking id is "
              "2026-11-25_CourtA_1500.a1b2c3d4.")
        .assistant("Booked: Court A on Wed 25 Nov at 15:00.")
        .user("Actually make it Court B at 2pm")
    )  # fmt: skip
    assert decide(script.conversation(agent_tools)) == CallTool(
        "booking_specialist",
        {
            "input": "Move my booking 2026-11-25_CourtA_1500.a1b2c3d4 to Court B "
            "on 2026-11-25 at 14:00"
        },
    )


def test_structured_output_carries_the_slot_preference_and_part_of_day():
    schema = {
        "type": "object",
        "properties": {
            "intent": {"type": "string", "enum": ["check_availability", "book", "other"]},
            "date": {"type": ["string", "null"]},
            "time": {"type": ["string", "null"]},
            "part_of_day": {
                "anyOf": [{"enum": ["morning", "afternoon", "evening"]}, {"type": "null"}]
            },
            "slot_preference": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        },
        "required": ["intent", "date", "time", "part_of_day", "slot_preference"],
        "additionalProperties": False,
    }
    for message, expected in [
        ("Next Monday afternoon, second one", ("2026-11-30", None, "afternoon", 2)),
        ("Give me the first available tomorrow", (TOMORROW, None, None, 1)),
        ("Book tomorrow afternoon please", (TOMORROW, None, "afternoon", None)),
        ("Tomorrow 3pm, first slot", (TOMORROW, "15:00", None, 1)),
    ]:
        reply = decide(Conversation(Script(message).items, (), schema))
        data = json.loads(reply.text)
        jsonschema.validate(data, schema)
        assert data["intent"] == "book"
        assert (
            data["date"],
            data["time"],
            data["part_of_day"],
            data["slot_preference"],
        ) == expected


def test_a_move_with_several_bookings_and_none_named_asks_which_and_books_nothing():
    mine = [booking("Court A", "09:00"), booking("Court B", "15:00", suffix="ffff0000")]
    script = Script("move it to 4pm")
    assert decide(script.conversation()) == CallTool("list_bookings", {})

    script.tool("list_bookings", {}, {"bookings": mine})
    reply = decide(script.conversation())

    assert isinstance(reply, Reply) and "Which one should I move?" in reply.text


def test_the_offer_after_a_failed_move_is_a_move_and_yes_moves_the_booking():
    # Given: Court B is taken at 14:00, so moving Court A 15:00 there failed
    old = booking("Court A", "15:00")
    taken = {
        "error": {
            "code": "slot_taken",
            "message": "Court B at 14:00 on Wed 25 Nov is already booked. Your booking of "
            "Court A at 15:00 on Wed 25 Nov is unchanged.",
            "alternatives": [slot("Court A", "14:00"), slot("Court C", "14:00")],
        }
    }
    script = (
        Script("Book tomorrow at 3pm")
        .assistant(
            f"Booked: Court A on Wed 25 Nov at 15:00. Your booking id is {old['booking_id']}."
        )
        .user("Actually make it Court B at 2pm")
        .tool("move_booking", {"booking_id": old["booking_id"], "court": "Court B"}, taken)
    )

    # When: the stand-in answers
    offer = decide(script.conversation())

    # Then: it offers to move that booking, by id, and "yes" moves it (never a second court)
    assert isinstance(offer, Reply) and f"move your booking {old['booking_id']}" in offer.text
    script.assistant(offer.text).user("yes please")
    assert decide(script.conversation()) == CallTool(
        "move_booking", {**BY_ID, "booking_id": old["booking_id"],
                         "slot_id": "2026-11-25_CourtA_1400"},
    )  # fmt: skip


def test_a_move_to_another_day_keeps_the_time_and_moves():
    made = "2026-11-25_CourtA_1500.a1b2c3d4"
    script = (
        Script("Book tomorrow at 3pm")
        .assistant(f"Booked: Court A on Wed 25 Nov at 15:00. Your booking id is {made}.")
        .user("Can you move it to Friday?")
    )

    assert decide(script.conversation()) == CallTool(
        "move_booking", {**NOT_BY_ID, "booking_id": made, "date": "2026-11-27", "time": None}
    )


def test_a_move_with_no_booking_says_so_and_books_nothing():
    script = Script("move my booking to 4pm tomorrow")
    assert decide(script.conversation()) == CallTool("list_bookings", {})

    script.tool("list_bookings", {}, {"bookings": []})
    reply = decide(script.conversation())

    assert isinstance(reply, Reply) and reply.text.startswith("You have no booking to move.")
    assert "Wed 25 Nov at 16:00" in reply.text  # offered, not booked


def test_a_position_beyond_the_free_slots_says_how_many_there_are_not_fully_booked():
    three = [slot(court, "16:00") for court in ("Court A", "Court B", "Court C")]
    refusal = {
        "error": {
            "code": "no_free_slot",
            "message": "Only 3 slots are free on Wed 25 Nov at 16:00, so there is no number 4; "
            "nothing was booked.",
            "alternatives": three,
        }
    }
    script = Script("Book the fourth slot tomorrow at 4pm").tool("book_slot", {}, refusal)

    reply = decide(script.conversation())

    assert isinstance(reply, Reply) and reply.text.startswith("Only 3 slots are free")
    assert "fully booked" not in reply.text and "16:00 (Court A, Court B, Court C)" in reply.text


def test_a_position_beyond_the_free_slots_without_a_describing_contract_says_so_too():
    three = [slot(court, "16:00") for court in ("Court A", "Court B", "Court C")]
    script = Script("Book the fourth slot tomorrow at 4pm").tool(
        "check_availability", {"date": TOMORROW, "time": "16:00"}, free("16:00", *three)
    )

    reply = decide(script.conversation(LEGACY))

    assert isinstance(reply, Reply) and "so there is no number 4" in reply.text


def test_a_contract_without_availability_books_the_first_configured_court(monkeypatch):
    monkeypatch.setenv("COURTS", "North,Centre,South")
    book_only = [t for t in LEGACY if t.name == "book_slot"]

    step = decide(Script("Book tomorrow at 3pm").conversation(book_only))

    assert isinstance(step, CallTool) and step.arguments["slot_id"] == "2026-11-25_North_1500"


def test_with_courts_not_in_alphabetical_order_the_listing_and_the_position_agree(monkeypatch):
    # Given: courts configured North, Centre, South
    monkeypatch.setenv("COURTS", "North,Centre,South")
    day = [slot(court, "18:00") for court in ("Centre", "North", "South")]
    script = Script("What's free tomorrow?").tool("check_availability", CHECK_DAY, free(None, *day))

    # When: the stand-in lists them, and the second one is asked for
    listing = decide(script.conversation())
    script.assistant(listing.text).user("the second one")

    # Then: listed in the configured order, and the second one is the second listed
    assert isinstance(listing, Reply) and "18:00 (North, Centre, South)" in listing.text
    assert decide(script.conversation()) == CallTool(
        "book_slot", {**BY_ID, "slot_id": "2026-11-25_Centre_1800"}
    )


def test_hello_names_only_the_configured_courts(monkeypatch):
    monkeypatch.setenv("COURTS", "North,Centre,South")

    reply = decide(Script("Hello").conversation())

    assert isinstance(reply, Reply) and "Centre" in reply.text and "Court B" not in reply.text
