import pytest

from booking.errors import (
    BookingNotFound,
    InvalidRequest,
    NotYourBooking,
    OutsideBookingWindow,
    SlotInPast,
    SlotTaken,
)
from tests.utils import owners


def test_booking_stores_the_slot_for_the_caller(service, store):
    booking = service.book("2026-11-25_CourtB_1500", "alice")

    assert booking.slot_id == "2026-11-25_CourtB_1500"
    assert booking.court == "Court B" and booking.time == "15:00"
    assert booking.booking_id.startswith("2026-11-25_CourtB_1500.")
    assert owners(store).get("2026-11-25_CourtB_1500") == "alice"


def test_second_booking_of_a_slot_is_refused_and_offers_the_nearest_free(service, store):
    service.book("2026-11-25_CourtA_1500", "alice")

    with pytest.raises(SlotTaken) as taken:
        service.book("2026-11-25_CourtA_1500", "bob")

    assert owners(store).get("2026-11-25_CourtA_1500") == "alice"
    offered = [s.slot_id for s in taken.value.alternatives]
    assert offered[:2] == ["2026-11-25_CourtB_1500", "2026-11-25_CourtC_1500"]
    # The message says why; the free slots are data, for whoever shows it to list once.
    assert taken.value.message == "Court A at 15:00 on Wed 25 Nov is already booked."
    assert taken.value.to_dict()["alternatives"][0]["court"] == "Court B"


def test_availability_is_the_schedule_minus_bookings_and_started_slots(service):
    service.book("2026-11-24_CourtA_1100", "alice")

    today = service.check_availability("2026-11-24")
    at_eleven = service.check_availability("2026-11-24", "11:00")

    assert {s.time for s in today} == {"11:00", "14:00", "15:00", "16:00", "17:00"}  # 9, 10 past
    assert [s.court for s in at_eleven] == ["Court B", "Court C"]
    assert len(service.check_availability("2026-11-25")) == 21


@pytest.mark.parametrize(
    ("slot_id", "error"),
    [
        ("2026-11-24_CourtA_0900", SlotInPast),
        ("2026-12-01_CourtA_0900", OutsideBookingWindow),
        ("2026-11-23_CourtA_0900", OutsideBookingWindow),
        ("Court A tomorrow", InvalidRequest),
    ],
)
def test_refused_bookings_store_nothing(service, store, slot_id, error):
    with pytest.raises(error):
        service.book(slot_id, "alice")
    assert owners(store) == {}


def test_only_the_owner_can_cancel(service, store):
    booking = service.book("2026-11-26_CourtC_0900", "alice")

    with pytest.raises(NotYourBooking):
        service.cancel(booking.booking_id, "mallory")
    assert owners(store).get(booking.slot_id) == "alice"

    assert service.cancel(booking.booking_id, "alice") == booking
    assert owners(store) == {}
    with pytest.raises(BookingNotFound):
        service.cancel(booking.booking_id, "alice")


def test_list_bookings_shows_only_the_callers_in_time_order(service):
    service.book("2026-11-27_CourtA_1700", "alice")
    service.book("2026-11-25_CourtB_0900", "alice")
    service.book("2026-11-25_CourtC_0900", "bob")

    assert [b.slot_id for b in service.list_bookings("alice")] == [
        "2026-11-25_CourtB_0900",
        "2026-11-27_CourtA_1700",
    ]


def test_an_empty_identity_cannot_book(service, store):
    with pytest.raises(InvalidRequest, match="identity"):
        service.book("2026-11-25_CourtB_1500", "")
    assert owners(store) == {}
