"""Integration helpers: what the moto bookings table (tests/conftest.py) holds."""

from __future__ import annotations

from tests.conftest import TABLE


def booking_items(client) -> list[tuple[str, str]]:
    """(slot_id, owner) of every booking stored, sorted. A scan also meets each caller's
    ledger item (booking.store), which is not a booking and has no slot_id."""
    items = client.scan(TableName=TABLE)["Items"]
    return sorted((i["slot_id"]["S"], i["user_id"]["S"]) for i in items if "slot_id" in i)
