"""The sessions table under moto, for every sessions test."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from local.dynamodb import create_sessions_table
from tests.unit.sessions.builders import TABLE


@pytest.fixture
def client(monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    with mock_aws():
        client = boto3.client("dynamodb")
        create_sessions_table(client, TABLE)
        yield client
