"""`patterns chat PATTERN` without a message: a conversation in one process.

The piped runs go through the real CLI, runtime and handlers with the offline stand-in (a
labelled test double), in this process with stdin not a terminal (tests.utils.run_cli); the
one at a terminal is a process of its own on a pseudo-terminal. The loop's own rules (session
carried, commands, exit status) are also checked against a scripted runtime, where each answer
is known in advance.
"""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys

import pytest

from local.chat_loop import ChatLoop
from local.runtime import HttpResult
from tests.utils import run_cli, serving_database

TOMORROW = "2026-11-25"  # run_cli pins today to 2026-11-24


@pytest.fixture
def piped(tmp_path, local_dynamodb_server):
    """`patterns ARGS` with stdin from a pipe (not a terminal), on this test's home, whose
    database starts empty."""
    home = serving_database(tmp_path, local_dynamodb_server)

    def run(*args: str, stdin: str) -> subprocess.CompletedProcess:
        return run_cli(home, *args, stdin=stdin)

    return run


# -- through the real handlers ----------------------------------------------------------------
@pytest.fixture(scope="module")
def ask_then_book(tmp_path_factory, local_dynamodb_server):
    home = serving_database(tmp_path_factory.mktemp("chat-loop"), local_dynamodb_server)
    return run_cli(
        home, "chat", "E", "--json", stdin="What's free tomorrow afternoon?\nBook the 3pm one\n"
    )


@pytest.mark.local_server
def test_piped_json_prints_one_chat_body_per_message_in_one_session(ask_then_book):
    # Given two messages piped into one `patterns chat E --json` process
    # Then stdout is exactly two /chat bodies, one per line, in the same session
    assert ask_then_book.returncode == 0, ask_then_book.stderr
    lines = ask_then_book.stdout.splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert {first["pattern"], second["pattern"]} == {"E"}
    assert first["session_id"] and second["session_id"] == first["session_id"]
    assert first["bookings"] == [] and first["usage"]["tool_calls"] == ["check_availability"]
    # and the stand-in is named as what it is
    assert "offline model" in ask_then_book.stderr


@pytest.mark.local_server
def test_piped_follow_up_books_the_slot_picked_from_the_answer(ask_then_book):
    # "Book the 3pm one" after the afternoon's free slots: 15:00 tomorrow, exactly once
    second = json.loads(ask_then_book.stdout.splitlines()[1])
    assert [(b["date"], b["time"]) for b in second["bookings"]] == [(TOMORROW, "15:00")]
    assert second["booking"] == second["bookings"][0]
    assert second["cancellations"] == []


@pytest.mark.local_server
def test_piped_commands_switch_pattern_with_a_fresh_session_and_report_to_stderr(piped):
    # Given a booking on A, then /usage, /pattern D, a question, /bookings
    run = piped(
        "chat",
        "A",
        "--json",
        "--user",
        "alice",
        stdin="Book tomorrow at 3pm\n/usage\n/pattern D\n\nShow my bookings\n/bookings\n",
    )

    # Then stdout holds only the two answers; the commands spoke on stderr
    assert run.returncode == 0, run.stderr
    booked, listed = (json.loads(line) for line in run.stdout.splitlines())
    assert booked["pattern"] == "A" and listed["pattern"] == "D"
    assert listed["session_id"] != booked["session_id"]  # /pattern starts a fresh session
    assert [b["time"] for b in booked["bookings"]] == ["15:00"]
    assert listed["bookings"] == [] and listed["cancellations"] == []
    _, usage_row = _block_after(run.stderr, "#  pattern", 2)
    assert usage_row.split()[:3] == ["1", "A", "200"]
    assert "[D] function calling" in run.stderr
    booking_id = booked["booking"]["booking_id"]
    assert f"{TOMORROW}  15:00  Court A  {booking_id}" in run.stderr


@pytest.mark.local_server
def test_piped_text_prints_one_line_per_answer(piped):
    run = piped(
        "chat",
        "D",
        stdin="Book tomorrow at 3pm\nBook tomorrow at 4pm\nShow my bookings\n",
    )

    assert run.returncode == 0, run.stderr
    answers = run.stdout.splitlines()
    assert len(answers) == 3
    assert all(answer.strip() for answer in answers)
    # the list names both bookings on its one line
    assert "15:00" in answers[2] and "16:00" in answers[2]


@pytest.mark.local_server
def test_at_a_terminal_the_session_is_interactive_and_ctrl_d_leaves(tmp_path):
    # Given `patterns chat A` whose stdin is a terminal, typed two lines then Ctrl-D
    controller, terminal = pty.openpty()
    env = {**os.environ, "PATTERNS_HOME": str(tmp_path), "PATTERNS_TODAY": "2026-11-24"}
    env.pop("OPENAI_API_KEY", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "local.cli", "chat", "A"],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    os.close(terminal)
    os.write(controller, b"Book tomorrow at 3pm\n/usage\n\x04")
    try:
        out, err = process.communicate(timeout=240)
    finally:
        os.close(controller)

    # Then it greets, answers with what was booked and used, shows /usage, and leaves cleanly
    assert process.returncode == 0, err
    assert out.startswith("[A] AI as a service:")
    assert "/help for commands, Ctrl-D to leave." in out
    assert f"booked Court A {TOMORROW} 15:00 · 1 LLM call, 0 tool calls," in out
    assert [line.split()[:3] for line in _block_after(out, "#  pattern", 2)[1:]] == [
        ["1", "A", "200"]
    ]
    assert "A> " in err  # the prompt, on the terminal's side of the output


def _block_after(text: str, start: str, count: int) -> list[str]:
    lines = text.splitlines()
    first = next(n for n, line in enumerate(lines) if line.startswith(start))
    return lines[first : first + count]


# -- the loop's own rules, against a scripted runtime -------------------------------------------
class ScriptedRuntime:
    """Answers each chat with the next scripted (status, body) and records what was sent."""

    def __init__(self, *answers: tuple[int, dict]) -> None:
        self.answers = list(answers)
        self.sent: list[tuple[str, str, str | None, str]] = []

    def chat(self, key, message, *, session_id, user):
        self.sent.append((key, message, session_id, user))
        status, body = self.answers.pop(0)
        return HttpResult(status=status, body=body, headers={})


def _body(session: str, **fields) -> dict:
    usage = {
        "llm_calls": 2,
        "tool_calls": ["check_availability"],
        "input_tokens": 100,
        "output_tokens": 10,
        "lambda_invocations": 1,
        "state_transitions": 0,
        "duration_ms": 12,
    }
    return {"reply": "ok", "session_id": session, "bookings": [], "usage": usage} | fields


def test_the_loop_carries_the_session_and_a_switch_or_reset_starts_a_fresh_one():
    runtime = ScriptedRuntime(
        (200, _body("s1")), (200, _body("s1")), (200, _body("s2")), (200, _body("s3"))
    )
    loop = ChatLoop(runtime, "e", user="bob")
    out, err = io.StringIO(), io.StringIO()

    code = loop.run(["hi\n", "again\n", "/pattern g\n", "there\n", "/reset\n", "anew\n"], out, err)

    assert code == 0
    assert runtime.sent == [
        ("E", "hi", None, "bob"),
        ("E", "again", "s1", "bob"),
        ("G", "there", None, "bob"),
        ("G", "anew", None, "bob"),
    ]
    assert out.getvalue().splitlines() == ["ok"] * 4


def test_interactive_usage_lists_every_turn_and_quit_ends_the_session():
    runtime = ScriptedRuntime(
        (200, _body("s1", bookings=[{"court": "Court A", "date": TOMORROW, "time": "15:00"}])),
        (409, {"error": {"code": "slot_taken", "message": "Taken."}}),
    )
    loop = ChatLoop(runtime, "D", interactive=True, bookings=lambda: [("d", "t", "c", "id")])
    out = io.StringIO()

    code = loop.run(["Book it", "Book that", "/usage", "/bookings", "/quit", "never"], out, out)

    text = out.getvalue()
    assert code == 1  # a turn was answered with an error status
    assert len(runtime.sent) == 2  # nothing after /quit was sent
    assert f"booked Court A {TOMORROW} 15:00" in text
    assert "HTTP 409 slot_taken: Taken." in text
    table = _block_after(text, "#  pattern", 3)
    assert [row.split()[:3] for row in table[1:]] == [["1", "D", "200"], ["2", "D", "409"]]
    assert "d  t  c  id" in text


def test_an_unknown_pattern_or_command_is_refused_without_leaving():
    runtime = ScriptedRuntime((200, _body("s1")))
    loop = ChatLoop(runtime, "A")
    out, err = io.StringIO(), io.StringIO()

    code = loop.run(["/pattern Z", "/dance", "hello"], out, err)

    assert code == 0
    assert "unknown pattern 'Z'" in err.getvalue()
    assert "unknown command '/dance'" in err.getvalue()
    assert runtime.sent == [("A", "hello", None, "local-user")]
