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
