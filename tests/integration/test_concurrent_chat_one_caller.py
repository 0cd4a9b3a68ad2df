"""16 concurrent `POST /chat` "Book tomorrow at 3pm" from one caller, through pattern A's real
handler on the local runtime (local DynamoDB server, offline stand-in model): one booking.

Before the caller's ledger each request that lost the race for Court A moved on to Court B,
then C: one person ended up holding all three courts at 15:00. (The threads run the real
handler's whole turn; the local runtime queues them per function, one warm container, as
Lambda would within one container — the ledger's atomicity under truly concurrent writers is
proved at the store in test_double_booking_race.py.)
"""

from __future__ import annotations

import os
import threading

import pytest

from local.dynamodb import BOOKINGS_TABLE
from local.runtime import LocalRuntime
from pattern_core import collaborators

pytestmark = pytest.mark.local_server

BURST = 16


@pytest.fixture
def runtime(tmp_path, monkeypatch):
    monkeypatch.setenv("PATTERNS_HOME", str(tmp_path))
    monkeypatch.setenv("PATTERNS_TODAY", "2026-11-24")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    saved = dict(os.environ)  # the runtime sets the stack's environment process-wide
    collaborators.reset()
    try:
        with LocalRuntime() as started:
            yield started
    finally:
        os.environ.clear()
        os.environ.update(saved)
        collaborators.reset()


def test_sixteen_concurrent_chats_of_one_caller_book_one_court(runtime):
    # Given 16 identical requests from one caller, released together
    results = [None] * BURST
    barrier = threading.Barrier(BURST)

    def send(n: int) -> None:
        barrier.wait(timeout=30)
        results[n] = runtime.chat("A", "Book tomorrow at 3pm", user="alice")

    threads = [threading.Thread(target=send, args=(n,)) for n in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # Then every request was answered, exactly one booked, and the rest name that booking
    assert [r.status for r in results] == [200] * BURST, [r.body for r in results]
    booked = [r.body["booking"] for r in results if r.body["booking"]]
    assert len(booked) == 1, [r.body["reply"] for r in results]
    held = booked[0]["booking_id"]
    others = [r.body["reply"] for r in results if not r.body["booking"]]
    assert all(f"(booking id {held})" in reply for reply in others), others
    items = runtime.database.client().scan(TableName=BOOKINGS_TABLE)["Items"]
    slots = [(i["slot_id"]["S"], i["user_id"]["S"]) for i in items if "slot_id" in i]
    assert slots == [(booked[0]["slot_id"], "arn:aws:iam::000000000000:user/alice")]
