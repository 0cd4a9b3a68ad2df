"""How agents run inside Lambda: the event loop, the model client, trace export."""

from __future__ import annotations

import asyncio
import threading

import pytest

from pattern_core import collaborators
from pattern_core.agent_runtime.runtime import run_sync, tracing_disabled
from pattern_core.collaborators import async_openai_client


@pytest.fixture(autouse=True)
def fresh_clients(monkeypatch):
    """Clients built here carry a test key: never leave them for other tests."""
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    collaborators.reset()
    yield
    collaborators.reset()


async def _current_loop():
    return asyncio.get_running_loop()


async def _client():
    return async_openai_client()


def test_consecutive_invocations_share_one_open_loop_and_one_client():
    first_loop, first_client = run_sync(_current_loop()), run_sync(_client())
    second_loop, second_client = run_sync(_current_loop()), run_sync(_client())

    assert first_loop is second_loop and not first_loop.is_closed()
    assert first_client is second_client


def test_another_thread_gets_its_own_loop_and_client():
    here = (run_sync(_current_loop()), run_sync(_client()))
    there: list = []
    worker = threading.Thread(
        target=lambda: there.extend([run_sync(_current_loop()), run_sync(_client())])
    )
    worker.start()
    worker.join()

    assert there[0] is not here[0] and there[1] is not here[1]


def test_trace_export_is_off_unless_explicitly_enabled(monkeypatch):
    monkeypatch.delenv("OPENAI_AGENTS_DISABLE_TRACING", raising=False)
    assert tracing_disabled()
    monkeypatch.setenv("OPENAI_AGENTS_DISABLE_TRACING", "1")
    assert tracing_disabled()
    monkeypatch.setenv("OPENAI_AGENTS_DISABLE_TRACING", "0")
    assert not tracing_disabled()
