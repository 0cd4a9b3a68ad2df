"""Test-wide setup: no test can reach a real AWS account or OpenAI, and every test that
books does so on moto-backed DynamoDB (the table `local.dynamodb` builds, the same key schema
the stacks deploy) through the real `DynamoBookingStore`: there is no in-memory store."""

from __future__ import annotations

import datetime as dt
import os
import threading
from zoneinfo import ZoneInfo

import boto3
import pytest
from moto import mock_aws

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_SERVICE_NAME": "patterns-tests",
        "POWERTOOLS_METRICS_DISABLED": "true",  # tests that check metrics turn them back on
        "OPENAI_AGENTS_DISABLE_TRACING": "1",
    }
)
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
    os.environ.pop(_name, None)

from booking.schedule import Schedule  # noqa: E402
from booking.service import BookingService  # noqa: E402
from booking.store import DynamoBookingStore  # noqa: E402
from local.dynamodb import create_bookings_table  # noqa: E402

TABLE = "bookings-under-test"

# Tuesday 24 Nov 2026, 10:30 in the courts' time zone: 09:00 and 10:00 today are past.
NOW = dt.datetime(2026, 11, 24, 10, 30, tzinfo=ZoneInfo("UTC"))
TODAY = NOW.date()
TOMORROW = TODAY + dt.timedelta(days=1)


@pytest.fixture
def schedule() -> Schedule:
    return Schedule(clock=lambda: NOW)


@pytest.fixture(scope="session")
def dynamodb_client():
    """One client for the session: moto intercepts a client made before `mock_aws` starts as
    well, and building one costs more than a whole moto table."""
    return boto3.client("dynamodb")


@pytest.fixture
def moto_aws(monkeypatch):
    """moto for this test, with fresh state; the local server's endpoint (if set) is ignored."""
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    with mock_aws():
        yield


@pytest.fixture
def dynamodb(moto_aws, dynamodb_client):
    """The bookings table under moto, built by the local runtime's own table builder."""
    create_bookings_table(dynamodb_client, TABLE)
    return dynamodb_client


class OneRequestAtATime:
    """A DynamoDB client whose requests run one at a time. DynamoDB applies each request —
    a conditional write's check and write included — atomically; moto does not when tests run
    tools in parallel threads, so a lost update could make a test flaky. Serialising requests
    gives moto DynamoDB's per-request atomicity back (concurrency itself is proved against the
    local DynamoDB server)."""

    def __init__(self, client) -> None:
        self._client, self._lock = client, threading.RLock()

    def __getattr__(self, name: str):
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def one_at_a_time(*args, **kwargs):
            with self._lock:
                return attribute(*args, **kwargs)

        return one_at_a_time


@pytest.fixture
def store(dynamodb) -> DynamoBookingStore:
    return DynamoBookingStore(TABLE, OneRequestAtATime(dynamodb))


@pytest.fixture
def service(store, schedule) -> BookingService:
    return BookingService(store, schedule)
