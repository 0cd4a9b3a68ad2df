"""Patterns D-G through the `patterns` CLI, each command its own process, on the local
DynamoDB server with the offline stand-in model: the issue's acceptance run, as typed."""

import json

import pytest

from tests.utils import run_patterns as patterns

pytestmark = pytest.mark.local_server

TOMORROW = "2026-11-25"


@pytest.mark.parametrize("pattern", ["D", "E", "F", "G"])
def test_book_tomorrow_at_3pm_books_a_court(tmp_path, pattern):
    run = patterns(tmp_path, "chat", pattern, "Book tomorrow at 3pm", "--json")

    assert run.returncode == 0, run.stderr
    body = json.loads(run.stdout)
    assert (body["booking"]["date"], body["booking"]["time"]) == (TOMORROW, "15:00")
    assert "book_slot" in body["usage"]["tool_calls"]
    assert body["usage"]["llm_calls"] >= 2
    assert "stand-in" in run.stderr


@pytest.mark.parametrize("pattern", ["D", "E", "F", "G"])
def test_a_session_carries_the_conversation_across_processes(tmp_path, pattern):
    first = patterns(
        tmp_path, "chat", pattern, "What's free tomorrow afternoon?", "--session", "s1", "--json"
    )
    second = patterns(tmp_path, "chat", pattern, "Book the 3pm one", "--session", "s1", "--json")

    assert (first.returncode, second.returncode) == (0, 0), second.stderr
    assert json.loads(first.stdout)["booking"] is None
    booking = json.loads(second.stdout)["booking"]
    assert (booking["date"], booking["time"]) == (TOMORROW, "15:00")
    # bob with alice's session id: a fresh conversation, so "the 4pm one" books nothing
    other = patterns(
        tmp_path, "chat", pattern, "Book the 4pm one", "--session", "s1", "--user", "bob", "--json"
    )
    assert other.returncode == 0, other.stderr
    assert json.loads(other.stdout)["booking"] is None


def test_pattern_g_counts_the_specialist_invocation(tmp_path):
    run = patterns(tmp_path, "chat", "G", "Book tomorrow at 3pm", "--json")
    usage = json.loads(run.stdout)["usage"]
    assert usage["lambda_invocations"] == 2
    assert usage["tool_calls"] == ["booking_specialist", "book_slot"]
