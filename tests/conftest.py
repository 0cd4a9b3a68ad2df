"""Test-wide setup: no test can reach a real AWS account or OpenAI."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest

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
from tests.fakes import InMemoryBookingStore  # noqa: E402

# Tuesday 24 Nov 2026, 10:30 in the courts' time zone: 09:00 and 10:00 today are past.
NOW = dt.datetime(2026, 11, 24, 10, 30, tzinfo=ZoneInfo("UTC"))
TODAY = NOW.date()
TOMORROW = TODAY + dt.timedelta(days=1)


@pytest.fixture
def schedule() -> Schedule:
    return Schedule(clock=lambda: NOW)


@pytest.fixture
def store() -> InMemoryBookingStore:
    return InMemoryBookingStore()


@pytest.fixture
def service(store, schedule) -> BookingService:
    return BookingService(store, schedule)
