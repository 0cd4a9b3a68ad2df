"""One caller, one court per start time — on every pattern, through the real handlers on the
local runtime (local DynamoDB server, offline stand-in model, H's labelled simulation).

Before the caller's ledger, "Book tomorrow at 3pm" sent again by the same caller (a client
retry without an Idempotency-Key, or a second tab) booked Court B next to Court A, on all eight
patterns; sixteen at once booked every court at 15:00.

Locally each function is one warm container (`LocalRuntime.container`), so a burst queues per
function as it would on a single container; that the ledger is atomic under truly concurrent
writers is proved at the store against the same server (test_double_booking_race.py).
"""

from __future__ import annotations

import os
import threading

import pytest

from local.dynamodb import BOOKINGS_TABLE
from local.events import caller_arn
from local.patterns import PATTERNS
from local.runtime import LocalRuntime
from pattern_core import collaborators
from tests.integration.conftest import parse_each_definition_once

pytestmark = pytest.mark.local_server

BURST = 16
HANDLER_MODULES = tuple(spec.handler.split(":")[0] for spec in PATTERNS.values())


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    saved = dict(os.environ)  # the runtime sets the stack's environment process-wide
    os.environ["PATTERNS_HOME"] = str(tmp_path_factory.mktemp("one-court"))
    os.environ["PATTERNS_TODAY"] = "2026-11-24"
    os.environ.pop("OPENAI_API_KEY", None)
    collaborators.reset()
    try:
        with pytest.MonkeyPatch.context() as monkeypatch, LocalRuntime() as started:
            parse_each_definition_once(monkeypatch)  # C's sixteen executions: one parse
            yield started
    finally:
        os.environ.clear()
        os.environ.update(saved)
        collaborators.reset()


@pytest.fixture
def courts(runtime):
    runtime.fresh_tables()
    return runtime


def held_slots(runtime, user: str) -> list[str]:
    items = runtime.database.client().scan(TableName=BOOKINGS_TABLE)["Items"]
    return sorted(
        i["slot_id"]["S"] for i in items if "slot_id" in i and i["user_id"]["S"] == caller_arn(user)
    )


@pytest.mark.parametrize("key", list(PATTERNS))
def test_asking_again_is_answered_with_the_booking_already_held(courts, key):
    first = courts.chat(key, "Book tomorrow at 3pm", user="alice")
    assert first.status == 200 and first.body["booking"], first.body
    held = first.body["booking"]["booking_id"]

    again = courts.chat(key, "Book tomorrow at 3pm", user="alice")

    assert again.status == 200, again.body
    assert again.body["bookings"] == []
    assert held in again.body["reply"]
    assert held_slots(courts, "alice") == [first.body["booking"]["slot_id"]]


@pytest.mark.parametrize("key", list(PATTERNS))
def test_sixteen_concurrent_requests_of_one_caller_book_one_court(courts, key):
    results: list = [None] * BURST
    barrier = threading.Barrier(BURST)

    def send(n: int) -> None:
        barrier.wait(timeout=30)
        results[n] = courts.chat(key, "Book tomorrow at 3pm", user="bob")

    threads = [threading.Thread(target=send, args=(n,)) for n in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    answered = [r for r in results if r is not None]
    assert len(answered) == BURST
    # Every request gets the contract's answer (no 500), and exactly one court is held.
    assert all(r.status < 500 for r in answered), [r.body for r in answered]
    made = [b for r in answered if r.status == 200 for b in r.body["bookings"]]
    assert len(made) == 1, [r.body.get("reply") for r in answered]
    assert held_slots(courts, "bob") == [made[0]["slot_id"]]
