"""Pattern H through the `patterns` CLI, in separate processes, on the local DynamoDB server:
the issue's acceptance run, labelled as a simulation of Bedrock's agent loop."""

import json

import pytest

from tests.utils import run_patterns

pytestmark = pytest.mark.local_server


def patterns(home, *args: str, **env: str):
    return run_patterns(home, *args, **{"H_ENGINE": "bedrock_agent", **env})


def test_book_tomorrow_at_3pm_books_a_court_labelled_as_simulated(tmp_path):
    run = patterns(tmp_path, "chat", "H", "Book tomorrow at 3pm", "--json")

    assert run.returncode == 0, run.stderr
    body = json.loads(run.stdout)
    assert body["pattern"] == "H"
    assert body["booking"]["slot_id"] == "2026-11-25_CourtA_1500"
    assert body["usage"]["tool_calls"] == ["book_slot"]  # a day and time book in one call
    assert "simulated Bedrock agent loop" in run.stderr
    assert "offline model" in run.stderr


def test_bookings_persist_across_runs_and_the_agentcore_engine_books_the_next_court(tmp_path):
    first = patterns(tmp_path, "chat", "H", "Book tomorrow at 3pm", "--json")
    second = patterns(
        tmp_path,
        "chat",
        "H",
        "Book tomorrow at 3pm",
        "--json",
        "--user",
        "bob",
        H_ENGINE="agentcore",
    )
    listing = patterns(tmp_path, "chat", "H", "What have I booked?", "--json")

    assert [first.returncode, second.returncode, listing.returncode] == [0, 0, 0]
    assert json.loads(first.stdout)["booking"]["court"] == "Court A"
    assert json.loads(second.stdout)["booking"]["court"] == "Court B"
    reply = json.loads(listing.stdout)["reply"]
    assert "Court A" in reply and "Court B" not in reply
