"""The offline model's understanding of booking messages: intents, dates, times, follow-ups."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from local.offline_model.language import (
    UserRequest,
    classify_intent_label,
    find_today,
    merge_follow_up,
    parse_request,
    part_of_day_of,
)

TODAY = date(2026, 11, 24)  # a Tuesday


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Book Court B tomorrow at 3pm", "book"),
        ("Can you reserve something on Friday?", "book"),
        ("Grab me the 10am slot", "book"),
        ("I'll take the 3pm one", "book"),
        ("What's free tomorrow afternoon?", "check_availability"),
        ("Is Court C available on Thursday?", "check_availability"),
        ("Any courts open this evening?", "check_availability"),
        ("Show me availability for 26 Nov", "check_availability"),
        ("anything at noon next friday?", "check_availability"),
        ("What are my bookings?", "list_bookings"),
        ("What have I booked?", "list_bookings"),
        ("list everything I have", "list_bookings"),
        ("Do I have any reservations?", "list_bookings"),
        ("Cancel my booking tomorrow at 3pm", "cancel"),
        ("please cancel 2026-11-25_CourtB_1500.a1b2c3d4", "cancel"),
        ("Hello there", "other"),
        ("Tell me a joke", "other"),
    ],
)
def test_recognises_the_intent(message, intent):
    assert parse_request(message, TODAY).intent == intent


@pytest.mark.parametrize(
    ("message", "expected_date"),
    [
        ("free today?", "2026-11-24"),
        ("anything tonight?", "2026-11-24"),
        ("this afternoon please", "2026-11-24"),
        ("book tomorrow", "2026-11-25"),
        ("book the day after tomorrow", "2026-11-26"),
        ("on Friday", "2026-11-27"),
        ("next friday", "2026-11-27"),
        ("this Sunday", "2026-11-29"),
        # The same weekday as today means next week's: bookings are for days to come.
        ("on Tuesday", "2026-12-01"),
        ("wed", "2026-11-25"),
        ("on 2026-11-28", "2026-11-28"),
        ("24 Nov", "2026-11-24"),
        ("Nov 26", "2026-11-26"),
        ("the 27th of November", "2026-11-27"),
        ("December 1st", "2026-12-01"),
        ("3 Jan", "2027-01-03"),
        ("at 3pm", None),
    ],
)
def test_resolves_the_date_against_today(message, expected_date):
    assert parse_request(message, TODAY).date == expected_date


@pytest.mark.parametrize(
    ("message", "expected_time"),
    [
        ("at 3pm", "15:00"),
        ("3 pm", "15:00"),
        ("at 15:00", "15:00"),
        ("at 1500", "15:00"),
        ("at 3", "15:00"),
        ("at 10", "10:00"),
        ("9am", "09:00"),
        ("9 a.m.", "09:00"),
        ("at noon", "12:00"),
        ("5 o'clock", "17:00"),
        ("12pm", "12:00"),
        ("the 4pm one", "16:00"),
        ("on 2026-11-25", None),
        ("24 Nov", None),
        ("in the afternoon", None),
    ],
)
def test_reads_the_time_as_hh_mm(message, expected_time):
    assert parse_request(message, TODAY).time == expected_time


@pytest.mark.parametrize(
    ("message", "part"),
    [
        ("tomorrow morning", "morning"),
        ("What's free tomorrow afternoon?", "afternoon"),
        ("this evening", "evening"),
        ("tonight", "evening"),
        ("tomorrow at 3pm", None),
    ],
)
def test_reads_the_part_of_day(message, part):
    assert parse_request(message, TODAY).part_of_day == part


@pytest.mark.parametrize(
    ("message", "court"),
    [
        ("book court b", "Court B"),
        ("Is Court A free?", "Court A"),
        ("courtc at 9", "Court C"),
        ("any court", None),
    ],
)
def test_reads_the_court(message, court):
    assert parse_request(message, TODAY).court == court


def test_a_booking_id_also_gives_its_day_time_and_court():
    request = parse_request("Cancel 2026-11-25_CourtB_1500.a1b2c3d4 please", TODAY)

    assert request == UserRequest(
        intent="cancel",
        date="2026-11-25",
        time="15:00",
        court="Court B",
        booking_id="2026-11-25_CourtB_1500.a1b2c3d4",
    )


def test_a_slot_id_is_not_read_as_a_booking_id():
    request = parse_request("Book 2026-11-26_CourtA_0900.", TODAY)

    assert (request.intent, request.date, request.time, request.court) == (
        "book",
        "2026-11-26",
        "09:00",
        "Court A",
    )
    assert request.booking_id is None


@pytest.mark.parametrize(
    "message", ["Book the 3pm one", "book it", "that one please", "yes please", "ok, go ahead"]
)
def test_marks_follow_ups(message):
    assert parse_request(message, TODAY).is_follow_up


def test_a_follow_up_takes_the_day_from_the_earlier_turn():
    earlier = parse_request("What's free tomorrow afternoon?", TODAY)

    request = merge_follow_up(parse_request("Book the 3pm one", TODAY), earlier)

    assert (request.intent, request.date, request.time) == ("book", "2026-11-25", "15:00")


def test_a_bare_follow_up_after_a_check_becomes_a_booking_of_that_slot():
    earlier = parse_request("Is Court B free on Friday at 4pm?", TODAY)

    request = merge_follow_up(parse_request("Yes, book it", TODAY), earlier)

    assert (request.intent, request.date, request.time, request.court) == (
        "book",
        "2026-11-27",
        "16:00",
        "Court B",
    )


def test_a_new_part_of_day_replaces_the_earlier_time():
    earlier = parse_request("Anything free tomorrow at 3pm?", TODAY)

    request = merge_follow_up(parse_request("What about the morning?", TODAY), earlier)

    assert (request.intent, request.date, request.time, request.part_of_day) == (
        "check_availability",
        "2026-11-25",
        None,
        "morning",
    )


def test_a_bare_day_and_time_out_of_the_blue_is_an_availability_question():
    request = merge_follow_up(parse_request("Can I play tomorrow at 3?", TODAY), UserRequest())

    assert (request.intent, request.date, request.time) == (
        "check_availability",
        "2026-11-25",
        "15:00",
    )


def test_a_bare_day_continues_the_earlier_intent():
    earlier = parse_request("Book Court B tomorrow at 3pm", TODAY)

    request = merge_follow_up(parse_request("Hmm, and on Friday?", TODAY), earlier)

    assert (request.intent, request.date, request.time) == ("book", "2026-11-27", None)


def test_a_message_naming_its_own_day_starts_afresh():
    earlier = parse_request("Book Court B tomorrow at 3pm", TODAY)

    request = merge_follow_up(parse_request("What's free on Friday?", TODAY), earlier)

    assert request == parse_request("What's free on Friday?", TODAY)


def test_today_comes_from_the_most_recent_line_in_the_prompt(monkeypatch):
    monkeypatch.setenv("PATTERNS_TODAY", "2030-01-01")
    texts = ["Today is 2026-11-23 (Monday).", "hello", "Today is 2026-11-24 (Tuesday), UTC."]

    assert find_today(texts) == date(2026, 11, 24)


def test_today_falls_back_to_patterns_today_then_the_clock(monkeypatch):
    monkeypatch.setenv("PATTERNS_TODAY", "2026-12-01")
    assert find_today(["no date here"]) == date(2026, 12, 1)

    monkeypatch.delenv("PATTERNS_TODAY")
    assert find_today([]) == datetime.now(UTC).date()


@pytest.mark.parametrize(
    ("time", "part"),
    [
        ("09:00", "morning"),
        ("11:59", "morning"),
        ("12:00", "afternoon"),
        ("16:00", "afternoon"),
        ("17:00", "evening"),
        ("21:00", "evening"),
    ],
)
def test_parts_of_the_day(time, part):
    assert part_of_day_of(time) == part


@pytest.mark.parametrize(
    ("label", "intent"),
    [
        ("check_availability", "check_availability"),
        ("checkAvailability", "check_availability"),
        ("book_slot", "book"),
        ("reserveCourt", "book"),
        ("list_bookings", "list_bookings"),
        ("cancel_booking", "cancel"),
        ("list", "list_bookings"),
        ("unknown", None),
    ],
)
def test_classifies_tool_names_and_enum_values(label, intent):
    assert classify_intent_label(label) == intent


@pytest.mark.parametrize(
    ("message", "position"),
    [
        ("Give me the first available tomorrow", 1),
        ("Tomorrow 3pm, first slot", 1),
        ("Next Monday afternoon, second one", 2),
        ("Book the third slot tomorrow at 4pm", 3),
        ("The second one please", 2),
        ("option 2", 2),
        ("first thing in the morning", None),
        ("Book tomorrow at 3pm", None),
    ],
)
def test_reads_a_position_among_the_free_slots(message, position):
    assert parse_request(message, TODAY).position == position


@pytest.mark.parametrize(
    "message", ["Tomorrow 3pm, first slot", "Give me the first available tomorrow"]
)
def test_picking_by_position_is_a_booking(message):
    assert parse_request(message, TODAY).intent == "book"


@pytest.mark.parametrize(
    "message",
    ["Actually make it Court B at 2pm", "move it to 4pm", "Can we reschedule to Friday?"],
)
def test_recognises_a_move(message):
    assert parse_request(message, TODAY).intent == "move"


def test_a_move_of_a_named_booking_goes_where_the_words_say_on_the_booking_s_day():
    request = parse_request("Move 2026-11-25_CourtA_1500.a1b2c3d4 to Court B at 2pm", TODAY)

    assert (request.intent, request.booking_id, request.date, request.time, request.court) == (
        "move",
        "2026-11-25_CourtA_1500.a1b2c3d4",
        "2026-11-25",
        "14:00",
        "Court B",
    )


def test_a_move_takes_the_booking_from_the_context_but_not_its_time_or_court():
    earlier = UserRequest(
        intent="book",
        date="2026-11-25",
        time="15:00",
        court="Court A",
        booking_id="2026-11-25_CourtA_1500.a1b2c3d4",
    )

    request = merge_follow_up(parse_request("move it to 4pm", TODAY), earlier)

    assert (request.booking_id, request.date, request.time, request.court) == (
        "2026-11-25_CourtA_1500.a1b2c3d4",
        "2026-11-25",
        "16:00",
        None,
    )


def test_a_court_that_does_not_exist_is_kept_as_said():
    assert parse_request("Book Court D tomorrow at 3pm", TODAY).court == "Court D"


def test_a_lone_court_letter_names_that_court():
    assert parse_request("B", TODAY).court == "Court B"
    assert parse_request("Book a court at 3pm", TODAY).court is None


def test_a_yes_after_an_offer_takes_exactly_the_offered_slot():
    earlier = UserRequest(
        intent="book", date="2026-11-25", time="15:00", slot_id="2026-11-25_CourtA_1400"
    )

    request = merge_follow_up(parse_request("yes please", TODAY), earlier)

    assert (request.intent, request.slot_id, request.time, request.court) == (
        "book",
        "2026-11-25_CourtA_1400",
        "14:00",
        "Court A",
    )


def test_courts_and_start_times_come_from_the_booking_configuration(monkeypatch):
    monkeypatch.setenv("COURTS", "Centre Court,Court 1,Court 2")
    monkeypatch.setenv("SLOT_START_TIMES", "08:00,13:00,19:00")

    assert parse_request("Book centre court tomorrow at 8", TODAY).court == "Centre Court"
    assert parse_request("Book court 2 tomorrow", TODAY).court == "Court 2"
    # A bare hour is the one that starts a slot: 8 is 08:00 here, 7 is 19:00.
    assert parse_request("Book tomorrow at 8", TODAY).time == "08:00"
    assert parse_request("Book tomorrow at 7", TODAY).time == "19:00"
    booked = parse_request("cancel 2026-11-25_CentreCourt_0800.a1b2c3d4", TODAY)
    assert (booked.court, booked.time) == ("Centre Court", "08:00")


@pytest.mark.parametrize(
    ("message", "new_slot"),
    [
        ("Move my booking tomorrow at 3pm to 4pm", ("2026-11-25", "16:00", None)),
        ("Change it from Court A to Court B", (None, None, "Court B")),
        ("Reschedule my Court A booking on Friday to 10am", ("2026-11-27", "10:00", None)),
        ("I'd like to move it to Court C at 2pm", (None, "14:00", "Court C")),
    ],
)
def test_a_move_goes_where_the_words_after_to_say_not_where_the_booking_is(message, new_slot):
    request = parse_request(message, TODAY)

    assert request.intent == "move"
    assert (request.date, request.time, request.court) == new_slot
