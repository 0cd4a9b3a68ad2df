"""`patterns chat PATTERN` with no message: a conversation with one pattern, in one process.

Each line is one `POST /chat` through the pattern's real handler, as `patterns chat` sends it;
the loop only carries the session id from one turn to the next, so imports and the local
servers are paid once. At a terminal it is interactive (commands below); fed from a pipe it
reads one message per line and writes one answer per line (with `--json`, one `/chat` body
per line), so a conversation can be scripted. Command output then goes to stderr, keeping
stdout to the answers.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, TextIO

from local.patterns import pattern

HELP = """\
/usage           what each turn of this session used (model calls, tools, tokens, time)
/bookings        your bookings in the local store
/pattern X       talk to pattern X instead, in a fresh session
/reset           a fresh session with the same pattern (bookings stay)
/help            this list
Ctrl-D           leave"""


class Runtime(Protocol):
    """What the loop needs of `local.runtime.LocalRuntime`."""

    def chat(self, key: str, message: str, *, session_id: str | None, user: str): ...


@dataclass
class Turn:
    pattern: str
    message: str
    status: int
    body: dict


@dataclass
class ChatLoop:
    runtime: Runtime
    pattern_id: str
    user: str = "local-user"
    session_id: str | None = None
    json_mode: bool = False
    interactive: bool = False
    # The caller's bookings as `(date, time, court, booking_id)` rows, read from the store.
    bookings: Callable[[], list[tuple[str, str, str, str]]] = lambda: []
    # Called with a pattern id before its first turn (imports the handler ahead of time).
    warm: Callable[[str], None] = lambda _: None
    history: list[Turn] = field(default_factory=list)
    failures: int = 0

    def run(self, lines: Iterable[str], out: TextIO, err: TextIO) -> int:
        """Answer every line; 0 when every turn was answered below HTTP 400, else 1."""
        self.pattern_id = pattern(self.pattern_id).id
        self.warm(self.pattern_id)
        notes = out if self.interactive else err
        if self.interactive:
            print(self._banner(), file=notes, flush=True)
        for raw in lines:
            line = raw.strip()
            if not line:
                continue
            if line.startswith("/"):
                if not self.command(line, notes):
                    break
                continue
            self.say(line, out)
        return 1 if self.failures else 0

    # -- a turn ----------------------------------------------------------------------------
    def say(self, message: str, out: TextIO) -> Turn:
        result = self.runtime.chat(
            self.pattern_id, message, session_id=self.session_id, user=self.user
        )
        body = result.body
        self.session_id = body.get("session_id") or self.session_id
        turn = Turn(self.pattern_id, message, result.status, body)
        self.history.append(turn)
        self.failures += result.status >= 400
        if self.json_mode:
            print(json.dumps(body), file=out, flush=True)
        elif self.interactive:
            print(_answer(turn), file=out)
            print(f"  {_effects(turn)} · {_usage(turn)}", file=out, flush=True)
        else:
            print(_one_line(_answer(turn)), file=out, flush=True)
        return turn

    # -- commands --------------------------------------------------------------------------
    def command(self, line: str, notes: TextIO) -> bool:
        """Run a slash command; False when the loop should end."""
        name, _, argument = line.partition(" ")
        argument = argument.strip()
        if name in ("/quit", "/exit"):
            return False
        if name == "/help":
            print(HELP, file=notes)
        elif name == "/usage":
            print(self.usage_table(), file=notes)
        elif name == "/bookings":
            rows = self.bookings()
            print("\n".join("  ".join(row) for row in rows) if rows else "No bookings.", file=notes)
        elif name == "/reset":
            self.session_id = None
            print(f"[{self.pattern_id}] fresh session; bookings stay.", file=notes)
        elif name == "/pattern" and argument:
            try:
                spec = pattern(argument)
            except KeyError as unknown:
                print(unknown.args[0], file=notes)
            else:
                self.pattern_id, self.session_id = spec.id, None
                self.warm(spec.id)
                print(f"[{spec.id}] {spec.name}: {spec.who_decides} (fresh session)", file=notes)
        else:
            print(f"unknown command {line!r}; /help lists them", file=notes)
        return True

    def usage_table(self) -> str:
        if not self.history:
            return "No turns yet."
        header = ("#", "pattern", "status", "llm", "tools", "tokens in/out", "lambdas", "ms")
        rows = [header]
        for n, turn in enumerate(self.history, 1):
            usage = turn.body.get("usage") or {}
            rows.append(
                (
                    str(n),
                    turn.pattern,
                    str(turn.status),
                    _figure(usage.get("llm_calls")),
                    ",".join(usage.get("tool_calls") or []) or "-",
                    f"{_figure(usage.get('input_tokens'))}/{_figure(usage.get('output_tokens'))}",
                    _figure(usage.get("lambda_invocations")),
                    _figure(usage.get("duration_ms")),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        return "\n".join(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in rows
        )

    def _banner(self) -> str:
        spec = pattern(self.pattern_id)
        return (
            f"[{spec.id}] {spec.name}: {spec.who_decides}\n"
            "Type a message; /help for commands, Ctrl-D to leave."
        )


def _figure(value: object) -> str:
    return "-" if value is None else str(value)


def _answer(turn: Turn) -> str:
    error = turn.body.get("error")
    if error:
        return f"HTTP {turn.status} {error['code']}: {error['message']}"
    return str(turn.body.get("reply", ""))


def _one_line(text: str) -> str:
    return " / ".join(part.strip() for part in text.splitlines() if part.strip())


def _effects(turn: Turn) -> str:
    booked = [f"{b['court']} {b['date']} {b['time']}" for b in turn.body.get("bookings") or []]
    cancelled = [
        f"{c['court']} {c['date']} {c['time']}" for c in turn.body.get("cancellations") or []
    ]
    parts = []
    if booked:
        parts.append("booked " + ", ".join(booked))
    if cancelled:
        parts.append("cancelled " + ", ".join(cancelled))
    return "; ".join(parts) or "nothing booked or cancelled"


def _usage(turn: Turn) -> str:
    usage = turn.body.get("usage") or {}
    if not usage:
        return f"HTTP {turn.status}"
    llm, tools = usage.get("llm_calls"), len(usage.get("tool_calls") or [])
    return (
        f"{_figure(llm)} LLM call{'' if llm == 1 else 's'}, "
        f"{tools} tool call{'' if tools == 1 else 's'}, {_figure(usage.get('duration_ms'))} ms"
    )


def terminal_lines(prompt: Callable[[], str]) -> Iterator[str]:
    """Lines typed at a terminal until Ctrl-D (or Ctrl-C), with line editing where available."""
    with contextlib.suppress(ImportError):  # not every platform has it
        import readline  # noqa: F401  (input() gains history and editing)
    while True:
        try:
            yield input(prompt())
        except (EOFError, KeyboardInterrupt):
            print()
            return
