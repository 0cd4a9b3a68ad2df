"""Booking by day and time (one BatchGetItem of that time's slots and the caller's ledger, then
the reservation and the put) under real concurrency, against the local DynamoDB server: no slot
gets two owners, a caller gets one court per start time, and a lost slot gives its reservation
back."""

import pytest

from booking.errors import AlreadyBookedThatTime, BookingError, NoFreeSlot, SlotTaken
from booking.models import Booking
from booking.service import BookingService, SlotQuery
from booking.store import DynamoBookingStore
from local.dynamodb import BOOKINGS_TABLE
from tests.integration.conftest import race
from tests.integration.test_double_booking_race import BURST, stored_slots

pytestmark = pytest.mark.local_server

CALLERS = 6  # more than the three courts


def test_callers_racing_for_one_time_never_share_a_court_and_losers_hold_nothing(
    database, schedule
):
    day = schedule.bookable_days()[1].isoformat()
    at_three = SlotQuery(date=day, time="15:00")

    def book(n: int) -> Booking:
        service = BookingService(DynamoBookingStore(BOOKINGS_TABLE, database.client()), schedule)
        return service.book_slot(at_three, f"user{n}")

    results = race(CALLERS, book)

    won = {f"user{n}": r for n, r in enumerate(results) if isinstance(r, Booking)}
    lost = {f"user{n}": r for n, r in enumerate(results) if isinstance(r, BookingError)}
    assert won and len(won) + len(lost) == CALLERS, results
    assert all(isinstance(r, (SlotTaken, NoFreeSlot)) for r in lost.values()), results
    assert sorted(stored_slots(database)) == sorted((b.slot_id, u) for u, b in won.items())
    assert len({b.slot_id for b in won.values()}) == len(won)
    store = DynamoBookingStore(BOOKINGS_TABLE, database.client())
    for user in lost:
        assert store.ledger(user).entries == {}, user  # the reservation was given back
    for user, booking in won.items():
        assert [r.booking for r in store.ledger(user).entries.values()] == [booking]


def test_one_caller_racing_for_one_time_gets_one_court(database, schedule):
    day = schedule.bookable_days()[1].isoformat()
    service = BookingService(DynamoBookingStore(BOOKINGS_TABLE, database.client()), schedule)

    results = race(BURST, lambda _n: service.book_slot(SlotQuery(date=day, time="15:00"), "alice"))

    booked = [r for r in results if not isinstance(r, BookingError)]
    refused = [r for r in results if isinstance(r, BookingError)]
    assert len(booked) == 1, results
    assert all(isinstance(r, AlreadyBookedThatTime) for r in refused), refused
    assert {r.held.booking_id for r in refused} == {booked[0].booking_id}
    assert stored_slots(database) == [(booked[0].slot_id, "alice")]
