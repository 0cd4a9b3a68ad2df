"""Integration helpers: what the moto bookings table (tests/conftest.py) holds, and the local
DynamoDB server with a way to race threads against it (moto serialises nothing across
threads, so concurrency is proved there)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from booking.errors import BookingError
from local.dynamodb import ensure_tables, reset
from tests.conftest import TABLE


def booking_items(client) -> list[tuple[str, str]]:
    """(slot_id, owner) of every booking stored, sorted. A scan also meets each caller's
    ledger item (booking.store), which is not a booking and has no slot_id."""
    items = client.scan(TableName=TABLE)["Items"]
    return sorted((i["slot_id"]["S"], i["user_id"]["S"]) for i in items if "slot_id" in i)


@pytest.fixture
def database(local_dynamodb_server):
    """The local DynamoDB server (dynalite; one per test process) with the runtime's tables,
    emptied for this test."""
    reset(local_dynamodb_server)
    ensure_tables(local_dynamodb_server)
    return local_dynamodb_server


def race(count: int, attempt: Callable[[int], object]) -> list[object]:
    """Run attempt(0..count-1) in threads released together; each result or raised error."""
    results: list[object] = [None] * count
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        barrier.wait(timeout=30)
        try:
            results[n] = attempt(n)
        except BookingError as refused:
            results[n] = refused

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
