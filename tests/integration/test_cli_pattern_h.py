"""Pattern H through the `patterns` CLI on the local DynamoDB server: the issue's acceptance
run, labelled as a simulation of Bedrock's agent loop, each command its own `patterns` run
(in this process: tests.utils.run_cli)."""

import json

import pytest

from tests.utils import run_cli, serving_database

pytestmark = pytest.mark.local_server


@pytest.fixture
def patterns(tmp_path, local_dynamodb_server):
    """`patterns ARGS` on this test's home (its database empty), H on the Bedrock Agent
    engine unless H_ENGINE says otherwise."""
    home = serving_database(tmp_path, local_dynamodb_server)

    def run(*args: str, **env: str):
        return run_cli(home, *args, **{"H_ENGINE": "bedrock_agent", **env})

    return run


def test_book_tomorrow_at_3pm_books_a_court_labelled_as_simulated(patterns):
    run = patterns("chat", "H", "Book tomorrow at 3pm", "--json")

    assert run.returncode == 0, run.stderr
    body = json.loads(run.stdout)
    assert body["pattern"] == "H"
    assert body["booking"]["slot_id"] == "2026-11-25_CourtA_1500"
    assert body["usage"]["tool_calls"] == ["book_slot"]  # a day and time book in one call
    assert "simulated Bedrock agent loop" in run.stderr
    assert "offline model" in run.stderr


def test_bookings_persist_across_runs_and_the_agentcore_engine_books_the_next_court(patterns):
    first = patterns("chat", "H", "Book tomorrow at 3pm", "--json")
    second = patterns(
        "chat",
        "H",
        "Book tomorrow at 3pm",
        "--json",
        "--user",
        "bob",
        H_ENGINE="agentcore",
    )
    listing = patterns("chat", "H", "What have I booked?", "--json")

    assert [first.returncode, second.returncode, listing.returncode] == [0, 0, 0]
    assert json.loads(first.stdout)["booking"]["court"] == "Court A"
    assert json.loads(second.stdout)["booking"]["court"] == "Court B"
    reply = json.loads(listing.stdout)["reply"]
    assert "Court A" in reply and "Court B" not in reply
