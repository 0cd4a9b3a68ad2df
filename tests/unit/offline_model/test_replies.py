"""The stand-in's replies to a tool's domain errors."""

from local.offline_model.replies import error_reply, render_facts

HELD = (
    "You already have Court A on 2026-11-25 at 15:00 (booking id 2026-11-25_CourtA_1500.1a2b3c4d);"
    " one person can hold one court per start time, so nothing new was booked"
)
# A free slot as check_availability and the slot_taken error report it.
NEARBY = [
    {"slot_id": "2026-11-25_CourtB_1600", "court": "Court B", "date": "2026-11-25", "time": "16:00"}
]


def test_a_time_already_held_is_told_as_the_holding_not_as_a_failure_with_offers():
    reply = error_reply({"code": "already_booked_that_time", "message": HELD}, NEARBY)

    assert reply == f"{HELD}."


def test_a_taken_slot_still_offers_the_free_times_nearby():
    reply = error_reply({"code": "slot_taken", "message": "Court A at 15:00 is booked"}, NEARBY)

    assert reply.startswith("Sorry, Court A at 15:00 is booked.") and "16:00" in reply


def test_free_courts_at_the_time_asked_for_are_named_without_repeating_the_time():
    from local.offline_model.language import UserRequest
    from local.offline_model.replies import availability_reply

    three = [
        {"slot_id": f"2026-12-03_Court{c}_1600", "court": f"Court {c}", "time": "16:00"}
        for c in "ABC"
    ]
    request = UserRequest(intent="check_availability", date="2026-12-03", time="16:00")

    reply = availability_reply("2026-12-03", three, request)

    assert reply == "Free on Thu 3 Dec at 16:00: Court A, Court B, Court C."


def test_a_refusal_with_alternatives_lists_them_once_without_a_garbled_prefix():
    nothing = {
        "code": "no_free_slot",
        "message": "Nothing is free on Thu 3 Dec in the morning.",
        "alternatives": [
            {"slot_id": "2026-12-03_CourtA_1400", "court": "Court A", "time": "14:00"},
            {"slot_id": "2026-12-03_CourtB_1400", "court": "Court B", "time": "14:00"},
        ],
    }

    reply = error_reply(nothing)

    assert reply.startswith(
        "Nothing is free on Thu 3 Dec in the morning. Nearest free times: 14:00 (Court A, "
        "Court B). Shall I book Court A"
    )
    assert reply.count("Court B") == 1 and "Sorry, I couldn't" not in reply


def test_a_workflows_reply_offers_nothing_to_say_yes_to():
    # B and C's reply step: each message stands alone, so a "yes" next would mean nothing
    facts = {
        "request": {"intent": "book", "date": "2026-12-03", "time": "15:00"},
        "free_slots": [],
        "alternatives": [
            {"slot_id": "2026-12-03_CourtA_1400", "court": "Court A", "time": "14:00"},
        ],
        "error": {"code": "no_free_slot", "message": "Nothing is free on Thu 3 Dec at 15:00."},
    }

    standalone = render_facts(facts, standalone=True)
    in_a_conversation = render_facts(facts)

    assert standalone.endswith('Say "Book Court A on Thu 3 Dec at 14:00" to book it.')
    assert "Shall I" not in standalone and "?" not in standalone
    assert "Shall I book Court A on Thu 3 Dec at 14:00" in in_a_conversation
