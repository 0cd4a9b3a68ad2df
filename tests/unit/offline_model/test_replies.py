"""The stand-in's replies to a tool's domain errors."""

from local.offline_model.replies import error_reply

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

    assert reply.startswith("Sorry, that slot is already taken") and "16:00" in reply
