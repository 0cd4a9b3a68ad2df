import datetime as dt

import pytest

from booking.errors import InvalidRequest, OutsideBookingWindow, SlotInPast, SlotNotFound
from booking.models import Slot, parse_slot_id, slot_id_of_booking
from booking.schedule import Schedule, system_now
from tests.conftest import TODAY, TOMORROW


def test_slot_ids_round_trip_through_the_schedule(schedule):
    slot = schedule.slot("2026-11-25_CourtB_1500")
    assert slot == Slot.of(TOMORROW, "Court B", dt.time(15, 0))
    assert slot.slot_id == "2026-11-25_CourtB_1500"


@pytest.mark.parametrize(
    "bad", ["", "tomorrow", "2026-11-25_CourtB", "2026-13-25_CourtB_1500", "2026-11-25_CourtB_2561"]
)
def test_malformed_slot_ids_are_rejected_with_the_expected_shape(bad):
    with pytest.raises(InvalidRequest, match="slot"):
        parse_slot_id(bad)


def test_unknown_court_or_start_time_is_not_on_the_schedule(schedule):
    with pytest.raises(SlotNotFound, match="courts are Court A, Court B, Court C"):
        schedule.slot("2026-11-25_CourtZ_1500")
    with pytest.raises(SlotNotFound, match="start times are 09:00"):
        schedule.slot("2026-11-25_CourtA_1300")


def test_window_is_today_through_today_plus_six(schedule):
    days = schedule.bookable_days()
    assert days[0] == TODAY and days[-1] == TODAY + dt.timedelta(days=6)
    schedule.check_day(TODAY + dt.timedelta(days=6))
    with pytest.raises(OutsideBookingWindow, match="2026-11-24 through 2026-11-30"):
        schedule.check_day(TODAY + dt.timedelta(days=7))
    with pytest.raises(OutsideBookingWindow):
        schedule.check_day(TODAY - dt.timedelta(days=1))


def test_started_slots_are_not_bookable(schedule):
    # NOW is 10:30: the 10:00 slot has started, 11:00 has not.
    with pytest.raises(SlotInPast):
        schedule.check_bookable(schedule.slot("2026-11-24_CourtA_1000"))
    schedule.check_bookable(schedule.slot("2026-11-24_CourtA_1100"))


def test_schedule_and_time_zone_come_from_configuration():
    schedule = Schedule.from_env(
        {
            "COURTS": "Centre Court, Court 2",
            "SLOT_START_TIMES": "08:00,18:30",
            "COURT_TIMEZONE": "Europe/London",
            "BOOKING_WINDOW_DAYS": "2",
            "PATTERNS_TODAY": "2026-06-01",
        }
    )
    assert schedule.courts == ("Centre Court", "Court 2")
    assert schedule.today() == dt.date(2026, 6, 1)
    assert schedule.now().utcoffset() == dt.timedelta(hours=1)  # BST
    assert [s.slot_id for s in schedule.slots_on(dt.date(2026, 6, 2), dt.time(18, 30))] == [
        "2026-06-02_CentreCourt_1830",
        "2026-06-02_Court2_1830",
    ]
    assert len(schedule.bookable_days()) == 3


def test_pinned_today_accepts_a_date_time_and_rejects_nonsense():
    tz = Schedule().tz
    assert system_now(tz, "2026-11-24T16:45").hour == 16
    with pytest.raises(ValueError, match="PATTERNS_TODAY"):
        system_now(tz, "next tuesday")


def test_booking_ids_name_their_slot():
    assert slot_id_of_booking("2026-11-25_CourtB_1500.0a1b2c3d") == "2026-11-25_CourtB_1500"
    with pytest.raises(InvalidRequest, match="booking id"):
        slot_id_of_booking("2026-11-25_CourtB_1500")
