"""`patterns bench`: what each pattern costs, measured on this machine.

Per pattern it runs the same scripted turns through the real handler (on a throw-away local
database, so your bookings are untouched) and reports latency percentiles and what the turn
used — model calls, tool calls, tokens, Lambda invocations, state transitions — as the handler
itself measured them. It also times each handler's cold import in a fresh interpreter (the
part of a Lambda cold start that is ours). With the offline stand-in the latencies measure the
orchestration and AWS plumbing, not a real model; set OPENAI_API_KEY to measure with OpenAI.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

from local.paths import scratch_state
from local.patterns import PATTERNS, pattern


@dataclass
class PatternFigures:
    id: str
    turns: int = 0
    failures: int = 0
    wall_ms: list[float] = field(default_factory=list)
    llm_calls: list[int | None] = field(default_factory=list)
    tool_calls: list[int] = field(default_factory=list)
    tokens: list[int | None] = field(default_factory=list)
    lambda_invocations: list[int] = field(default_factory=list)
    state_transitions: list[int] = field(default_factory=list)
    bookings: int = 0
    cold_import_ms: float | None = None

    def as_row(self) -> dict:
        def mean(values):
            known = [v for v in values if v is not None]
            return round(statistics.fmean(known), 1) if known else None

        ordered = sorted(self.wall_ms)
        return {
            "pattern": self.id,
            "turns": self.turns,
            "failures": self.failures,
            "bookings": self.bookings,
            "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1) if ordered else None,
            "llm_calls_per_turn": mean(self.llm_calls),
            "tool_calls_per_turn": mean(self.tool_calls),
            "tokens_per_turn": mean(self.tokens),
            "lambda_invocations_per_turn": mean(self.lambda_invocations),
            "state_transitions_per_turn": mean(self.state_transitions),
            "cold_import_ms": self.cold_import_ms,
        }


def scripted_turns(rounds: int, today: dt.date) -> list[str]:
    turns = []
    for n in range(rounds):
        day = (today + dt.timedelta(days=1 + n % 6)).isoformat()
        turns += [f"Book {day} at 3pm", f"What's free on {day} afternoon?", "Show my bookings"]
    return turns


def cold_import_ms(handler_path: str, env: dict[str, str]) -> float:
    """Median of three fresh-interpreter imports of the handler module."""
    module = handler_path.partition(":")[0]
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    samples = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        samples.append(float(out.stdout.strip().splitlines()[-1]) * 1000)
    return round(statistics.median(samples), 1)


def run_bench(keys: list[str], rounds: int) -> list[dict]:
    from booking.schedule import Schedule
    from local.runtime import LocalRuntime

    figures = []
    # A scratch database, emptied before each pattern: every pattern meets the same courts.
    with scratch_state(), LocalRuntime() as runtime:
        today = Schedule.from_env().today()
        for key in keys:
            spec = pattern(key)
            runtime.fresh_tables()
            result = PatternFigures(spec.id)
            result.cold_import_ms = cold_import_ms(spec.handler, dict(os.environ))
            for message in scripted_turns(rounds, today):
                started = time.perf_counter()
                response = runtime.chat(spec.id, message, user=f"bench-{spec.id.lower()}")
                result.wall_ms.append((time.perf_counter() - started) * 1000)
                result.turns += 1
                if response.status >= 400:
                    result.failures += 1
                    continue
                usage = response.body["usage"]
                result.bookings += response.body["booking"] is not None
                result.llm_calls.append(usage["llm_calls"])
                result.tool_calls.append(len(usage["tool_calls"]))
                tokens = None
                if usage["input_tokens"] is not None:
                    tokens = usage["input_tokens"] + (usage["output_tokens"] or 0)
                result.tokens.append(tokens)
                result.lambda_invocations.append(usage["lambda_invocations"])
                result.state_transitions.append(usage["state_transitions"])
            figures.append(result.as_row())
        label = runtime.model_label
    notes = {key: pattern(key).local_note for key in keys if pattern(key).local_note}
    return [{"model": label, "notes": notes}, *figures]


def format_table(rows: list[dict]) -> str:
    header = rows[0]
    figures = rows[1:]
    columns = [
        ("pattern", "pattern"),
        ("turns", "turns"),
        ("failures", "fail"),
        ("bookings", "booked"),
        ("p50_ms", "p50 ms"),
        ("p95_ms", "p95 ms"),
        ("llm_calls_per_turn", "llm/turn"),
        ("tool_calls_per_turn", "tools/turn"),
        ("tokens_per_turn", "tokens/turn"),
        ("lambda_invocations_per_turn", "lambdas/turn"),
        ("state_transitions_per_turn", "transitions/turn"),
        ("cold_import_ms", "cold import ms"),
    ]
    widths = [max(len(title), *(len(str(r[key])) for r in figures)) for key, title in columns]
    lines = [f"model: {header['model']}"]
    lines += [f"{key}: {note}" for key, note in header.get("notes", {}).items()]
    lines.append("")
    lines.append("  ".join(title.rjust(w) for (_, title), w in zip(columns, widths, strict=True)))
    for row in figures:
        cells = ("-" if row[key] is None else str(row[key]) for key, _ in columns)
        lines.append("  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)))
    return "\n".join(lines)


def default_keys() -> list[str]:
    return list(PATTERNS)
