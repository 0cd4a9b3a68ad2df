"""The sessions table under moto, for every sessions test."""

from __future__ import annotations

import boto3
import pytest

from local.dynamodb import create_sessions_table
from tests.unit.sessions.builders import TABLE


@pytest.fixture
def client(moto_aws):
    """A client of its own (not the bookings' shared one): tests count the calls the session
    store makes on it."""
    client = boto3.client("dynamodb")
    create_sessions_table(client, TABLE)
    return client
