"""Patterns D-G through the `patterns` CLI, on the local DynamoDB server with the offline
stand-in model: the issue's acceptance run, as typed, each command its own `patterns` run.

A session outliving its process is proved once, on D, with each command a process of its own
(tests.utils.run_patterns: its own interpreter and database server, the data on disk); the
other runs are the same commands in this process (tests.utils.run_cli), each a fresh runtime
and container, on a database that starts empty for the test."""

import functools
import json

import pytest

from tests.utils import run_cli, run_patterns, serving_database

pytestmark = pytest.mark.local_server

TOMORROW = "2026-11-25"


@pytest.fixture
def patterns(tmp_path, local_dynamodb_server):
    """`patterns ARGS` on this test's home, whose database starts empty."""
    return functools.partial(run_cli, serving_database(tmp_path, local_dynamodb_server))


@pytest.mark.parametrize("pattern", ["D", "E", "F", "G"])
def test_book_tomorrow_at_3pm_books_a_court(patterns, pattern):
    run = patterns("chat", pattern, "Book tomorrow at 3pm", "--json")

    assert run.returncode == 0, run.stderr
    body = json.loads(run.stdout)
    assert (body["booking"]["date"], body["booking"]["time"]) == (TOMORROW, "15:00")
    assert "book_slot" in body["usage"]["tool_calls"]
    assert body["usage"]["llm_calls"] >= 2
    assert "stand-in" in run.stderr


def test_a_session_carries_the_conversation_across_processes(tmp_path):
    # Each command its own process, with its own database server on the data left on disk
    first = run_patterns(
        tmp_path, "chat", "D", "What's free tomorrow afternoon?", "--session", "s1", "--json"
    )
    second = run_patterns(tmp_path, "chat", "D", "Book the 3pm one", "--session", "s1", "--json")

    assert (first.returncode, second.returncode) == (0, 0), second.stderr
    assert json.loads(first.stdout)["booking"] is None
    booking = json.loads(second.stdout)["booking"]
    assert (booking["date"], booking["time"]) == (TOMORROW, "15:00")


@pytest.mark.parametrize("pattern", ["D", "E", "F", "G"])
def test_a_session_carries_the_conversation_across_commands(patterns, pattern):
    first = patterns(
        "chat", pattern, "What's free tomorrow afternoon?", "--session", "s1", "--json"
    )
    second = patterns("chat", pattern, "Book the 3pm one", "--session", "s1", "--json")

    assert (first.returncode, second.returncode) == (0, 0), second.stderr
    assert json.loads(first.stdout)["booking"] is None
    booking = json.loads(second.stdout)["booking"]
    assert (booking["date"], booking["time"]) == (TOMORROW, "15:00")
    # bob with alice's session id: a fresh conversation, so "the 4pm one" books nothing
    other = patterns(
        "chat", pattern, "Book the 4pm one", "--session", "s1", "--user", "bob", "--json"
    )
    assert other.returncode == 0, other.stderr
    assert json.loads(other.stdout)["booking"] is None


def test_pattern_g_counts_the_specialist_invocation(patterns):
    run = patterns("chat", "G", "Book tomorrow at 3pm", "--json")
    usage = json.loads(run.stdout)["usage"]
    assert usage["lambda_invocations"] == 2
    assert usage["tool_calls"] == ["booking_specialist", "book_slot"]
