"""The canonical plain-code choice of A-C (`workflow.fulfilment`): which free slot a
structured request means, and the refusal of a court that does not exist."""

from __future__ import annotations

import datetime as dt

import pytest

from booking.errors import UnknownCourt
from booking.models import Slot
from booking.schedule import Schedule
from pattern_b.orchestration import run_workflow
from pattern_core.contract.turn import ChatTurn
from pattern_core.workflow.fulfilment import choose_slot, find_slots
from tests.fakes import ScriptedOpenAI, booking_request
from tests.utils import owners

DAY = dt.date(2026, 11, 25)


def free(*taken: str) -> list[Slot]:
    """Tomorrow's slots in availability order, less the ones named ('14:00 Court A')."""
    return [s for s in Schedule().slots_on(DAY) if f"{s.time} {s.court}" not in taken]


def chosen(request, slots=None) -> str | None:
    slot = choose_slot(free() if slots is None else slots, request)
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


def test_find_slots_refuses_a_court_that_does_not_exist(service):
    with pytest.raises(UnknownCourt) as refused:
        find_slots(service, booking_request(court="Court D"))

    assert "Court D" in refused.value.message and "Court A" in refused.value.message


def test_find_slots_filters_by_part_of_day_in_availability_order(service):
    service.book("2026-11-25_CourtA_1700", "bob")

    evening = find_slots(service, booking_request(time=None, part_of_day="evening"))

    assert [s.slot_id for s in evening] == ["2026-11-25_CourtB_1700", "2026-11-25_CourtC_1700"]


def test_pattern_b_books_a_part_of_the_day_through_the_canonical_choice(make_ctx, store):
    request = booking_request(time=None, part_of_day="afternoon")
    ctx = make_ctx(ScriptedOpenAI(request, "Booked Court A at 14:00."))

    outcome = run_workflow(
        ChatTurn("Book tomorrow afternoon please", "alice", "s1", ctx.usage, "B"), ctx
    )

    assert outcome.booking.slot_id == "2026-11-25_CourtA_1400"
    assert owners(store) == {"2026-11-25_CourtA_1400": "alice"}
