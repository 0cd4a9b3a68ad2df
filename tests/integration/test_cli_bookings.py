"""`patterns bookings`: the local store's bookings, after commands that booked them, each its
own `patterns` run as a user types them (in this process: tests.utils.run_cli)."""

import functools
import json

import pytest

from local.events import caller_arn
from tests.utils import run_cli, serving_database

pytestmark = pytest.mark.local_server


@pytest.fixture
def patterns(tmp_path, local_dynamodb_server):
    """`patterns ARGS` on this test's home, whose database starts empty."""
    return functools.partial(run_cli, serving_database(tmp_path, local_dynamodb_server))


def test_bookings_lists_every_callers_bookings_as_json_and_filters_by_user_and_date(patterns):
    # Given alice holds 15:00 tomorrow and Friday 10:00, and bob 15:00 tomorrow
    patterns("chat", "A", "Book tomorrow at 3pm", "--user", "alice")
    patterns("chat", "A", "Book Friday at 10am", "--user", "alice")
    patterns("chat", "A", "Book tomorrow at 3pm", "--user", "bob")

    # When the bookings are listed: all, alice's, and tomorrow's
    everyone = patterns("bookings", "--json")
    alice = patterns("bookings", "--user", "alice", "--json")
    tomorrow = patterns("bookings", "--date", "2026-11-25", "--json")

    # Then each is a JSON array of what is stored, with its owner
    assert [run.returncode for run in (everyone, alice, tomorrow)] == [0, 0, 0]
    rows = json.loads(everyone.stdout)
    assert [(r["date"], r["time"], r["court"], r["user_id"]) for r in rows] == [
        ("2026-11-25", "15:00", "Court A", caller_arn("alice")),
        ("2026-11-25", "15:00", "Court B", caller_arn("bob")),
        ("2026-11-27", "10:00", "Court A", caller_arn("alice")),
    ]
    assert set(rows[0]) == {"booking_id", "slot_id", "user_id", "court", "date", "time"}
    assert rows[0]["booking_id"].startswith(rows[0]["slot_id"] + ".")
    assert [r["slot_id"] for r in json.loads(alice.stdout)] == [
        "2026-11-25_CourtA_1500",
        "2026-11-27_CourtA_1000",
    ]
    assert {r["user_id"] for r in json.loads(tomorrow.stdout)} == {
        caller_arn("alice"),
        caller_arn("bob"),
    }


def test_bookings_without_json_is_a_readable_table(patterns):
    booked = patterns("chat", "A", "Book tomorrow at 3pm", "--user", "alice", "--json")
    booking_id = json.loads(booked.stdout)["booking"]["booking_id"]

    table = patterns("bookings")
    nobody = patterns("bookings", "--user", "carol")

    header, row = table.stdout.splitlines()
    assert header.split() == ["date", "time", "court", "user", "booking_id"]
    assert row.split() == ["2026-11-25", "15:00", "Court", "A", "alice", booking_id]
    assert nobody.stdout.strip() == "No bookings."


def test_bookings_refuses_a_malformed_date(patterns):
    run = patterns("bookings", "--date", "tomorrow")

    assert run.returncode == 2
    assert "'tomorrow' is not a date; use YYYY-MM-DD." in run.stderr
    assert run.stdout == ""
