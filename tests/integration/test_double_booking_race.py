"""No double booking under real concurrency, against the local DynamoDB server (dynalite).

moto serialises nothing across threads, so this cannot be proved under moto: here concurrent
clients race real conditional PutItems over HTTP, and each slot must end up with one owner.
"""

import threading

import pytest

from booking.errors import SlotTaken
from booking.service import BookingService
from booking.store import DynamoBookingStore
from local.dynamodb import BOOKINGS_TABLE, local_dynamodb

pytestmark = pytest.mark.local_server

RACERS = 4


@pytest.fixture
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("PATTERNS_HOME", str(tmp_path))
    with local_dynamodb() as server:
        yield server


def test_concurrent_bookings_of_one_slot_yield_exactly_one_booking(database, schedule):
    slots = [s.slot_id for s in schedule.slots_on(schedule.bookable_days()[1])][:6]
    outcomes: dict[str, list[tuple[str, str]]] = {slot: [] for slot in slots}
    barrier = threading.Barrier(RACERS)

    def racer(name: str) -> None:
        service = BookingService(DynamoBookingStore(BOOKINGS_TABLE, database.client()), schedule)
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
    stored = database.client().scan(TableName=BOOKINGS_TABLE)["Items"]
    assert sorted(item["slot_id"]["S"] for item in stored) == sorted(slots)
