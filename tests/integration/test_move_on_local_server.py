"""Moving a booking against the local DynamoDB server (dynalite): the ledger's nested updates
work there, and a move racing the same caller's bookings of that hour never leaves them on two
courts at once."""

import pytest

from booking.errors import BookingError
from booking.service import BookingService, SlotQuery
from booking.store import DynamoBookingStore
from local.dynamodb import BOOKINGS_TABLE
from tests.integration.conftest import race

pytestmark = pytest.mark.local_server


def courts_at(service: BookingService, user: str, day: str, time: str) -> list[str]:
    return [b.court for b in service.list_bookings(user) if (b.date, b.time) == (day, time)]


def test_a_move_to_another_court_and_a_refused_move_on_the_local_server(database, schedule):
    service = BookingService(DynamoBookingStore(BOOKINGS_TABLE, database.client()), schedule)
    day = schedule.bookable_days()[1].isoformat()
    held = service.book(f"{day}_CourtA_1400", "alice")
    service.book(f"{day}_CourtC_1400", "bob")

    moved = service.move(held.booking_id, SlotQuery(court="Court B"), "alice")
    with pytest.raises(BookingError) as refused:
        service.move(moved.booking.booking_id, SlotQuery(slot_id=f"{day}_CourtC_1400"), "alice")

    assert moved.cancelled == held
    assert refused.value.code == "slot_taken" and "unchanged" in refused.value.message
    assert courts_at(service, "alice", day, "14:00") == ["Court B"]
    # The refused move gave 14:00 back to the Court B booking: Court A is still refused.
    with pytest.raises(BookingError) as again:
        service.book(f"{day}_CourtA_1400", "alice")
    assert again.value.code == "already_booked_that_time"


def test_a_move_racing_the_callers_own_bookings_of_that_hour_leaves_one_court(database, schedule):
    service = BookingService(DynamoBookingStore(BOOKINGS_TABLE, database.client()), schedule)
    day = schedule.bookable_days()[1].isoformat()
    held = service.book(f"{day}_CourtA_1500", "alice")

    def attempt(n: int):
        if n == 0:
            return service.move(held.booking_id, SlotQuery(court="Court B"), "alice")
        return service.book(f"{day}_CourtC_1500", "alice")

    race(6, attempt)

    assert len(courts_at(service, "alice", day, "15:00")) == 1
