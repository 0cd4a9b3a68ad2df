"""Fixtures for driving the patterns' chat handlers end to end.

Everything the deployed stack would provide, in-process: the bookings and sessions tables
under moto, the offline stand-in model over HTTP (a labelled test double, not an LLM), and the
environment the CDK stack sets. Import the fixtures into a test module to use them.
"""

from __future__ import annotations

import pytest

from local.offline_model import start_offline_model
from pattern_core import collaborators
from settings import env_key
from tests.integration.conftest import IDEMPOTENCY_TABLE, SESSIONS_TABLE, TABLE
from tests.utils import chat_event, lambda_context, response_json

ALICE = "arn:aws:iam::123456789012:user/alice"
MALLORY = "arn:aws:iam::123456789012:user/mallory"
TODAY = "2026-11-24"
TOMORROW = "2026-11-25"


@pytest.fixture(scope="session")
def offline_model():
    with start_offline_model() as model:
        yield model


@pytest.fixture
def chat_env(chat_tables, offline_model, monkeypatch):
    """The environment a pattern's stack gives its functions, pointed at moto and the stand-in
    (bookings, sessions and idempotency tables: `chat_tables`, tests/integration/conftest.py)."""
    collaborators.reset()  # a fresh container: built on first use, from this environment
    for name, value in {
        "BOOKINGS_TABLE_NAME": TABLE,
        "SESSIONS_TABLE_NAME": SESSIONS_TABLE,
        env_key("idempotency_table_name"): IDEMPOTENCY_TABLE,
        "OPENAI_BASE_URL": offline_model.base_url,
        "OPENAI_API_KEY": "offline-stand-in",
        "OPENAI_MODEL": "offline-stand-in",
        "PATTERNS_TODAY": TODAY,
        "AUTH_MODE": "iam",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("OPENAI_API_KEY_SECRET_ARN", raising=False)
    yield
    collaborators.reset()  # clients of this moto mock and model server are gone


def chat(handler, body: dict, caller: str = ALICE) -> tuple[int, dict]:
    """One signed `POST /chat` through a deployed handler: (status, body)."""
    response = handler(chat_event(body, caller_arn=caller), lambda_context("pattern-chat"))
    return response["statusCode"], response_json(response)
