"""Pattern A through the `patterns` CLI on the local DynamoDB server: the issue's acceptance
run, as a user types it — one command after another, each its own `patterns` run (in this
process: tests.utils.run_cli; that a command's data outlives its process is proved in
test_cli_patterns_d_to_g)."""

import functools
import json

import pytest

from tests.utils import run_cli, serving_database

pytestmark = pytest.mark.local_server


@pytest.fixture
def patterns(tmp_path, local_dynamodb_server):
    """`patterns ARGS` on this test's home, whose database starts empty."""
    return functools.partial(run_cli, serving_database(tmp_path, local_dynamodb_server))


def test_booking_fills_courts_in_order_then_offers_other_times(patterns):
    # Four players (one person cannot hold two courts at one time)
    runs = [
        patterns("chat", "A", "Book tomorrow at 3pm", "--json", "--user", user)
        for user in ("ann", "ben", "cat", "dan")
    ]

    bodies = [json.loads(run.stdout) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0]
    assert [b["booking"]["court"] for b in bodies[:3]] == ["Court A", "Court B", "Court C"]
    assert {b["booking"]["slot_id"][:10] for b in bodies[:3]} == {"2026-11-25"}
    assert {b["booking"]["time"] for b in bodies[:3]} == {"15:00"}
    assert bodies[3]["booking"] is None
    assert "15:00 on Wed 25 Nov is fully booked" in bodies[3]["reply"]
    assert "14:00" in bodies[3]["reply"] and "16:00" in bodies[3]["reply"]
    assert all(b["usage"]["llm_calls"] == 1 for b in bodies)
    assert "offline model" in runs[0].stderr and "stand-in" in runs[0].stderr


def test_asking_twice_for_one_time_is_answered_with_the_booking_already_held(patterns):
    first = patterns("chat", "A", "Book tomorrow at 3pm", "--json")
    again = patterns("chat", "A", "Book tomorrow at 3pm", "--json")

    held = json.loads(first.stdout)["booking"]
    body = json.loads(again.stdout)
    assert again.returncode == 0
    assert body["booking"] is None and body["bookings"] == []
    assert (
        f"You already have Court A on Wed 25 Nov at 15:00 (booking id {held['booking_id']})"
        in (body["reply"])
    )
    stored = json.loads(patterns("bookings", "--json").stdout)
    assert [row["booking_id"] for row in stored] == [held["booking_id"]]


def test_bookings_persist_and_belong_to_the_caller(patterns):
    patterns("chat", "A", "Book Friday at 10am", "--user", "alice")

    alice = patterns("chat", "A", "Show my bookings", "--user", "alice")
    bob = patterns("chat", "A", "Show my bookings", "--user", "bob")

    assert "Court A on Fri 27 Nov at 10:00" in alice.stdout
    assert "You have no bookings." in bob.stdout


def test_bad_input_exits_non_zero_with_the_error_body(patterns):
    run = patterns("chat", "A", "x" * 2001, "--json")

    assert run.returncode == 1
    assert json.loads(run.stdout)["error"]["code"] == "validation_error"


def test_reset_forgets_local_bookings(patterns):
    patterns("chat", "A", "Book tomorrow at 9am")
    assert patterns("reset").returncode == 0
    assert "You have no bookings." in patterns("chat", "A", "my bookings").stdout
