"""Which free slot a structured request means (`booking.slot_choice`), and how a listing of
free slots reads (`booking.wording`): the order it shows is the order a position counts in."""

from __future__ import annotations

import dataclasses
import datetime as dt

from booking.models import Slot
from booking.schedule import Schedule
from booking.service import BookingService
from booking.slot_choice import choose_slot
from booking.wording import describe_slots
from tests.fakes import booking_request

DAY = dt.date(2026, 11, 25)


def free(*taken: str) -> list[Slot]:
    """Tomorrow's slots in availability order, less the ones named ('14:00 Court A')."""
    return [s for s in Schedule().slots_on(DAY) if f"{s.time} {s.court}" not in taken]


def chosen(request, slots=None) -> str | None:
    slot = choose_slot(free() if slots is None else slots, request, Schedule())
    return f"{slot.time} {slot.court}" if slot else None


def test_a_time_takes_the_preferred_court_else_the_first_free_one():
    assert chosen(booking_request(time="15:00")) == "15:00 Court A"
    assert chosen(booking_request(time="15:00", court="court c")) == "15:00 Court C"
    assert chosen(booking_request(time="15:00", court="B")) == "15:00 Court B"
    assert chosen(booking_request(time="15:00", court="Court C"), free("15:00 Court C")) == (
        "15:00 Court A"
    )


def test_a_part_of_the_day_takes_its_earliest_free_slot_or_the_nth():
    afternoon = booking_request(time=None, part_of_day="afternoon")
    second_evening = booking_request(time=None, part_of_day="evening", slot_preference=2)

    assert chosen(afternoon, free("14:00 Court A")) == "14:00 Court B"
    assert chosen(second_evening) == "17:00 Court B"
    assert chosen(booking_request(time=None, part_of_day="afternoon", court="Court C")) == (
        "14:00 Court C"
    )


def test_a_position_alone_counts_the_days_free_slots():
    assert chosen(booking_request(time=None, slot_preference=1), free("09:00 Court A")) == (
        "09:00 Court B"
    )
    assert chosen(booking_request(time=None, slot_preference=4)) == "10:00 Court A"


def test_nothing_to_choose_without_a_time_part_or_position_or_past_the_free_ones():
    assert chosen(booking_request(time=None)) is None
    only_one = free("17:00 Court A", "17:00 Court B")
    evening_second = booking_request(time=None, part_of_day="evening", slot_preference=2)
    assert chosen(evening_second, [s for s in only_one if s.time == "17:00"]) is None


def test_a_court_is_named_as_the_schedule_reads_names_and_an_ambiguous_word_is_no_preference():
    # Given courts whose last words are not unique, "Court" names none of them
    schedule = Schedule(courts=("North Court", "South Court"))
    slots = schedule.slots_on(DAY, dt.time(15, 0))

    def court_chosen(name: str) -> str:
        return choose_slot(slots, booking_request(court=name), schedule).court

    assert court_chosen("south court") == "South Court"
    assert court_chosen("SouthCourt") == "South Court"
    assert court_chosen("Court") == "North Court"  # no preference: the first free


def test_a_listing_shows_the_courts_in_the_schedules_order_that_a_position_counts_in(
    store, schedule
):
    # Given courts configured out of alphabetical order
    schedule = dataclasses.replace(
        Schedule.from_env({"COURTS": "North,Centre,South"}), clock=schedule.clock
    )
    service = BookingService(store, schedule)
    service.book(f"{DAY}_North_1500", "bob")

    # When the free slots at 09:00 and the nearest to a full 15:00 are listed, and the second
    # at 09:00 is chosen
    at_nine = service.free_slots(DAY, dt.time(9, 0))
    second = choose_slot(at_nine, booking_request(time="09:00", slot_preference=2), schedule)
    nearest = service.nearest_free(Slot.of(DAY, "North", dt.time(15, 0)))

    # Then the listing names the courts as configured, and "the second one" is its second
    assert describe_slots(at_nine) == "09:00 (North, Centre, South)"
    assert second.court == "Centre"
    assert describe_slots(nearest) == (
        "14:00 (North, Centre, South), 15:00 (Centre, South), 16:00 (North, Centre, South)"
    )
