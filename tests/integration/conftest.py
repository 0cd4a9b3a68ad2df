"""Integration fixtures: the bookings table under moto, built from the shared key schema."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from booking.service import BookingService
from booking.store import DynamoBookingStore
from local.dynamodb import create_bookings_table

TABLE = "bookings-under-test"


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    with mock_aws():
        yield


@pytest.fixture
def dynamodb(aws):
    client = boto3.client("dynamodb")
    create_bookings_table(client, TABLE)
    return client


@pytest.fixture
def dynamo_service(dynamodb, schedule) -> BookingService:
    return BookingService(DynamoBookingStore(TABLE, dynamodb), schedule)


def booking_items(client) -> list[tuple[str, str]]:
    """(slot_id, owner) of every booking stored, sorted. A scan also meets each caller's
    ledger item (booking.store), which is not a booking and has no slot_id."""
    items = client.scan(TableName=TABLE)["Items"]
    return sorted((i["slot_id"]["S"], i["user_id"]["S"]) for i in items if "slot_id" in i)
