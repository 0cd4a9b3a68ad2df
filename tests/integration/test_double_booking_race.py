"""No double booking under real concurrency, against the local DynamoDB server (dynalite).

moto serialises nothing across threads, so this cannot be proved under moto: here concurrent
clients race real conditional writes over HTTP. Each slot must end up with one owner; one
caller must end up with one court per start time and no more than `max_active_bookings`.
"""

import threading

import pytest

from booking.errors import AlreadyBookedThatTime, BookingError, SlotTaken, TooManyBookings
from booking.service import BookingService
from booking.store import DynamoBookingStore
from local.dynamodb import BOOKINGS_TABLE
from tests.integration.conftest import race

pytestmark = pytest.mark.local_server

RACERS = 4
BURST = 16


def stored_slots(database) -> list[tuple[str, str]]:
    """(slot_id, owner) of every booking item (the callers' ledger items are not bookings)."""
    items = database.client().scan(TableName=BOOKINGS_TABLE)["Items"]
    return sorted((i["slot_id"]["S"], i["user_id"]["S"]) for i in items if "slot_id" in i)


def test_concurrent_bookings_of_one_slot_yield_exactly_one_booking(database, schedule):
    # Six start times on one court: one caller may hold them all (one court per start time).
    day = schedule.bookable_days()[1]
    slots = [s.slot_id for s in schedule.slots_on(day) if s.court == "Court A"][:6]
    outcomes: dict[str, list[tuple[str, str]]] = {slot: [] for slot in slots}
    barrier = threading.Barrier(RACERS)

    def racer(name: str) -> None:
        store = DynamoBookingStore(BOOKINGS_TABLE, database.client())
        service = BookingService(store, schedule, max_active_bookings=len(slots))
        for slot in slots:
            barrier.wait(timeout=30)  # everyone fires at the same slot at once
            try:
                service.book(slot, name)
                outcomes[slot].append(("won", name))
            except SlotTaken:
                outcomes[slot].append(("lost", name))

    threads = [threading.Thread(target=racer, args=(f"user{n}",)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    reader = BookingService(DynamoBookingStore(BOOKINGS_TABLE, database.client()), schedule)
    for slot in slots:
        winners = [name for result, name in outcomes[slot] if result == "won"]
        assert len(outcomes[slot]) == RACERS
        assert len(winners) == 1, f"{slot}: {outcomes[slot]}"
        assert slot in {b.slot_id for b in reader.list_bookings(winners[0])}
    assert [slot for slot, _ in stored_slots(database)] == sorted(slots)


def test_one_caller_racing_for_one_start_time_on_every_court_gets_one_booking(database, schedule):
    # Given 16 requests of one caller for 15:00 tomorrow, spread over the three courts
    tomorrow = schedule.bookable_days()[1]
    courts = [s.slot_id for s in schedule.slots_on(tomorrow, schedule.start_times[4])]
    service = BookingService(DynamoBookingStore(BOOKINGS_TABLE, database.client()), schedule)

    # When they all fire at once
    results = race(BURST, lambda n: service.book(courts[n % len(courts)], "alice"))

    # Then one court is booked, and every other request was told which booking alice holds
    booked = [r for r in results if not isinstance(r, BookingError)]
    assert len(booked) == 1, results
    refused = [r for r in results if isinstance(r, BookingError)]
    assert all(isinstance(r, AlreadyBookedThatTime) for r in refused), refused
    assert {r.held.booking_id for r in refused} == {booked[0].booking_id}
    assert booked[0].booking_id in refused[0].message
    assert stored_slots(database) == [(booked[0].slot_id, "alice")]
    assert [b.booking_id for b in service.list_bookings("alice")] == [booked[0].booking_id]


def test_one_caller_racing_for_more_times_than_allowed_gets_exactly_the_cap(database, schedule):
    # Given 16 requests of one caller for 16 different start times (a cap of 5)
    slots = [
        slot.slot_id
        for day in schedule.bookable_days()[1:4]
        for slot in schedule.slots_on(day)
        if slot.court == "Court A"
    ][:BURST]
    service = BookingService(
        DynamoBookingStore(BOOKINGS_TABLE, database.client()), schedule, max_active_bookings=5
    )

    # When they all fire at once
    results = race(BURST, lambda n: service.book(slots[n], "alice"))

    # Then exactly five are booked and every other request is refused by the cap
    booked = sorted(r.slot_id for r in results if not isinstance(r, BookingError))
    refused = [r for r in results if isinstance(r, BookingError)]
    assert len(booked) == 5, results
    assert all(isinstance(r, TooManyBookings) for r in refused), refused
    assert stored_slots(database) == [(slot, "alice") for slot in booked]
