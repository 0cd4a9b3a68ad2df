"""`patterns eval`: does each pattern handle each kind of request? Judged by what was stored.

Every scenario (local/eval_scenarios.py) runs through the pattern's real handler on its own
empty courts (a scratch database emptied before each run, so your bookings are untouched):
seed the bookings it needs, send its messages in one session, then judge the `/chat` bodies
(bookings, cancellations, status, and for a listing the tool its usage shows it ran) against
the store's state — a body that reports a booking the store does not hold fails, and so does a
store that changed in a way no body reported. Reply wording is never judged. Per pattern it
reports each scenario's passes, the success rate over the scenarios the pattern is designed
for, and what the turns used (model calls, tokens, latency of warm turns, as measured here).
With the offline stand-in (no OPENAI_API_KEY) the run is deterministic and says it measured a
test double; with OPENAI_API_KEY it measures that model, and `--repeat` turns single passes
into rates.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from local.eval_scenarios import CALLER, SCENARIOS, At, Scenario
from local.events import caller_arn
from local.patterns import PATTERNS, pattern

CALLER_NAME = "eval-caller"
WARM_UP = "What's free tomorrow?"


@dataclass(frozen=True)
class Held:
    """A booking in the store: its public fields and its owner."""

    booking_id: str
    court: str
    date: str
    time: str
    owner: str


@dataclass
class Observation:
    """What one run of a scenario produced: every turn's (status, body), the store before the
    first turn (after seeding) and after the last."""

    today: dt.date
    caller: str
    seeded: list[Held]
    turns: list[tuple[int, dict]]
    store_after: list[Held]
    wall_ms: list[float] = field(default_factory=list)  # each turn, as the caller waited


def _matches(date: str, time_: str, court: str, at: At, today: dt.date) -> bool:
    return (
        date == (today + dt.timedelta(days=at.days)).isoformat()
        and time_ == at.time
        and (at.court is None or court == at.court)
    )


def _pair(found: list[dict], expected: tuple[At, ...], today: dt.date) -> bool:
    """True when `found` (public booking dicts) and `expected` match one to one."""
    left = list(found)
    for at in expected:
        hit = next((b for b in left if _matches(b["date"], b["time"], b["court"], at, today)), None)
        if hit is None:
            return False
        left.remove(hit)
    return not left


def _describe(bookings: list[dict] | list[Held]) -> str:
    rows = [b if isinstance(b, dict) else b.__dict__ for b in bookings]
    return "[" + ", ".join(f"{r['date']} {r['time']} {r['court']}" for r in rows) + "]"


def _listing_problems(n: int, reply: str, seen: Observation) -> list[str]:
    """A listing gives the id of each booking the caller held (as seeded) and of no one else's."""
    mine = sorted(h.booking_id for h in seen.seeded if h.owner == seen.caller)
    others = sorted(h.booking_id for h in seen.seeded if h.owner != seen.caller)
    problems = []
    if missing := [booking_id for booking_id in mine if booking_id not in reply]:
        problems.append(f"turn {n}: the reply gives no id for the caller's {missing}")
    if leaked := [booking_id for booking_id in others if booking_id in reply]:
        problems.append(f"turn {n}: the reply gives another caller's booking {leaked}")
    return problems


def judge(scenario: Scenario, seen: Observation) -> list[str]:
    """Why the run failed (empty when it passed): every judgement rests on the store's state
    and the bodies' bookings, cancellations, status and (for a listing) the booking ids the reply
    gives, never on the reply's words."""
    problems: list[str] = []
    today = seen.today
    for n, (turn, (status, body)) in enumerate(zip(scenario.turns, seen.turns, strict=True), 1):
        if status not in turn.statuses:
            code = (body.get("error") or {}).get("code", "")
            problems.append(
                f"turn {n}: HTTP {status} {code}".rstrip() + f", expected {sorted(turn.statuses)}"
            )
        booked = body.get("bookings") or []
        cancelled = body.get("cancellations") or []
        if not _pair(booked, turn.books, today):
            problems.append(
                f"turn {n}: reported bookings {_describe(booked)}, expected "
                f"[{', '.join(map(str, turn.books))}]"
            )
        if turn.lists_bookings:
            problems += _listing_problems(n, body.get("reply") or "", seen)
        if not _pair(cancelled, turn.cancels, today):
            problems.append(
                f"turn {n}: reported cancellations {_describe(cancelled)}, expected "
                f"[{', '.join(map(str, turn.cancels))}]"
            )
    # What the bodies say against what the store holds.
    held_ids = {h.booking_id for h in seen.store_after}
    reported = [b for _, body in seen.turns for b in body.get("bookings") or []]
    cancelled_ids = {
        c["booking_id"] for _, body in seen.turns for c in body.get("cancellations") or []
    }
    for booking in reported:
        if booking["booking_id"] not in held_ids and booking["booking_id"] not in cancelled_ids:
            problems.append(f"reported booking {booking['booking_id']} is not in the store")
    for booking_id in cancelled_ids & held_ids:
        problems.append(f"reported cancellation {booking_id} is still in the store")
    # The store: exactly the caller's expected bookings, and nobody else's touched.
    mine = [h for h in seen.store_after if h.owner == seen.caller]
    if not _pair([h.__dict__ for h in mine], scenario.holds, today):
        problems.append(
            f"store holds {_describe(mine)} for the caller, expected "
            f"[{', '.join(map(str, scenario.holds))}]"
        )
    others_before = {h for h in seen.seeded if h.owner != seen.caller}
    others_after = {h for h in seen.store_after if h.owner != seen.caller}
    if others_before != others_after:
        problems.append(
            f"other callers' bookings changed: {_describe(sorted(others_before, key=str))} → "
            f"{_describe(sorted(others_after, key=str))}"
        )
    return problems


# -- running ---------------------------------------------------------------------------------
@dataclass
class ScenarioResult:
    scenario: str
    runs: int = 0
    passed: int = 0
    by_design: str | None = None
    failures: list[str] = field(default_factory=list)


@dataclass
class PatternReport:
    pattern: str
    results: list[ScenarioResult] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    llm_calls: list[int] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def as_dict(self) -> dict:
        applicable = [r for r in self.results if r.by_design is None]
        runs = sum(r.runs for r in applicable)
        passed = sum(r.passed for r in applicable)
        ordered = sorted(self.wall_ms)
        return {
            "pattern": self.pattern,
            "name": pattern(self.pattern).name,
            "scenarios": [r.__dict__ for r in self.results],
            "passed": passed,
            "runs": runs,
            "success_rate": round(passed / runs, 3) if runs else None,
            "turns": len(self.wall_ms),
            "statuses": {str(status): n for status, n in sorted(self.statuses.items())},
            "llm_calls_per_turn": _mean(self.llm_calls),
            "tokens_per_turn": _mean(self.tokens),
            "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
            "p95_ms": (
                round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1) if ordered else None
            ),
        }


def _mean(values: list[int]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def _message(template: str, today: dt.date, seeded: list[Held]) -> str:
    days = {f"d{n}": (today + dt.timedelta(days=n)).isoformat() for n in range(15)}
    seeds = {f"seed{n}": held.booking_id for n, held in enumerate(seeded)}
    return template.format(**days, **seeds)


def _store_state(store) -> list[Held]:
    return [Held(b.booking_id, b.court, b.date, b.time, owner) for b, owner in store.all_bookings()]


def run_scenario(runtime, key: str, scenario: Scenario) -> Observation:
    """One run on empty courts: seed, talk in one session, look at the store."""
    from booking.schedule import Schedule
    from booking.service import BookingService
    from booking.store import DynamoBookingStore
    from local.dynamodb import BOOKINGS_TABLE

    runtime.fresh_tables()
    store = DynamoBookingStore(BOOKINGS_TABLE, runtime.database.client())
    schedule = Schedule.from_env()
    today = schedule.today()
    service = BookingService(store, schedule)
    seeded = []
    for seed in scenario.seeds:
        owner = caller_arn(CALLER_NAME if seed.owner == CALLER else f"eval-{seed.owner}")
        day = (today + dt.timedelta(days=seed.at.days)).isoformat()
        slot_id = f"{day}_{seed.at.court.replace(' ', '')}_{seed.at.time.replace(':', '')}"
        booking = service.book(slot_id, owner)
        seeded.append(Held(booking.booking_id, booking.court, booking.date, booking.time, owner))
    turns, walls, session = [], [], None
    for turn in scenario.turns:
        started = time.perf_counter()
        result = runtime.chat(
            key, _message(turn.message, today, seeded), session_id=session, user=CALLER_NAME
        )
        walls.append((time.perf_counter() - started) * 1000)
        session = result.body.get("session_id") or session
        turns.append((result.status, result.body))
    return Observation(today, caller_arn(CALLER_NAME), seeded, turns, _store_state(store), walls)


def run_eval(keys: list[str], repeat: int = 1, scenarios: tuple[Scenario, ...] = SCENARIOS):
    """Every scenario `repeat` times on every pattern; the report as a dict."""
    from local.paths import scratch_state
    from local.runtime import LocalRuntime

    reports = []
    with scratch_state(), LocalRuntime() as runtime:
        today = None
        for key in keys:
            report = PatternReport(pattern(key).id)
            # One untimed turn first, so latencies are warm turns (cold imports: `bench`).
            runtime.fresh_tables()
            runtime.chat(report.pattern, WARM_UP, user=CALLER_NAME)
            for scenario in scenarios:
                # Designed-out scenarios still run and are shown, outside the success rate.
                result = ScenarioResult(
                    scenario.name, by_design=scenario.by_design.get(report.pattern)
                )
                for _ in range(repeat):
                    seen = run_scenario(runtime, report.pattern, scenario)
                    today = seen.today
                    problems = judge(scenario, seen)
                    result.runs += 1
                    result.passed += not problems
                    result.failures += [p for p in problems if p not in result.failures]
                    report.wall_ms += seen.wall_ms
                    for status, body in seen.turns:
                        report.statuses[status] += 1
                        usage = body.get("usage") or {}
                        if usage.get("llm_calls") is not None:
                            report.llm_calls.append(usage["llm_calls"])
                        if usage.get("input_tokens") is not None:
                            report.tokens.append(usage["input_tokens"] + usage["output_tokens"])
                report.results.append(result)
            reports.append(report)
        return {
            "model": runtime.model_label,
            "model_is_test_double": runtime.offline,
            "measured_on": dt.datetime.now(dt.UTC).date().isoformat(),
            "today": today.isoformat() if today else None,
            "repeat": repeat,
            "scenarios": [
                {"name": s.name, "kind": s.kind, "turns": len(s.turns)} for s in scenarios
            ],
            "patterns": [r.as_dict() for r in reports],
        }


def all_passed(report: dict) -> bool:
    """No failure other than those expected by design."""
    return all(
        r["passed"] == r["runs"] or r["by_design"]
        for p in report["patterns"]
        for r in p["scenarios"]
    )


def format_report(report: dict) -> str:
    patterns = report["patterns"]
    lines = [f"model:  {report['model']}"]
    if report["model_is_test_double"]:
        lines.append("        (a test double: these figures measure the patterns, not an LLM)")
    lines += [
        f"today:  {report['today']} (measured {report['measured_on']}); each scenario on empty "
        f"courts, {report['repeat']} run(s)",
        "",
    ]
    header = ["scenario", *[p["pattern"] for p in patterns]]
    rows = [header]
    for n, scenario in enumerate(report["scenarios"]):
        row = [scenario["name"]]
        for p in patterns:
            result = p["scenarios"][n]
            if result["passed"] == result["runs"]:
                cell = "pass" if result["runs"] == 1 else f"{result['passed']}/{result['runs']}"
            else:
                cell = "FAIL" if result["runs"] == 1 else f"{result['passed']}/{result['runs']}!"
                cell += "*" if result["by_design"] else ""
            row.append(cell)
        rows.append(row)
    rows.append(["success rate", *[_rate(p) for p in patterns]])
    rows.append(["LLM calls / turn", *[_cell(p["llm_calls_per_turn"]) for p in patterns]])
    rows.append(["tokens / turn", *[_cell(p["tokens_per_turn"], 0) for p in patterns]])
    rows.append(["p50 ms", *[_cell(p["p50_ms"], 0) for p in patterns]])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    reasons = sorted({r["by_design"] for p in patterns for r in p["scenarios"] if r["by_design"]})
    lines += [f"* {reason}" for reason in reasons]
    failures = [
        f"  {p['pattern']} {r['scenario']}: {problem}"
        for p in patterns
        for r in p["scenarios"]
        if r["failures"] and not r["by_design"]
        for problem in r["failures"]
    ]
    if failures:
        lines += ["", "failures (judged by the store and the /chat body):", *failures]
    return "\n".join(lines)


def _rate(p: dict) -> str:
    if not p["runs"]:
        return "-"
    return f"{p['passed']}/{p['runs']}"


def _cell(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def default_keys() -> list[str]:
    return list(PATTERNS)


def as_json(report: dict) -> str:
    return json.dumps(report, indent=2)
