"""`patterns bench`: what each pattern costs, measured on this machine, in one run.

Per pattern it reports:

- the cold import of each of its functions (the chat function, and C's steps, G's specialists,
  H's action group): the median over fresh interpreters, in the environment the function has
  deployed (tracing on) — the part of a Lambda cold start that is this project's code;
- one turn of "Book tomorrow at 3pm" on empty courts: every DynamoDB API call it makes
  (counted from botocore's `before-call` event, the handler's own calls and those of any
  function it invokes), its model calls, tokens and latency;
- scripted rounds (book, ask what's free, list bookings) through the real handler: latency
  percentiles and what each turn used, as the handler itself measured it.

Measured side by side in the same run: the baselines (bare `import openai`, bare
`import agents`) with the handlers' ratios to them, and `python app.py` against an app with one
empty stack (both with the CLI's context, bundling skipped). A deployed function's INIT runs
with the garbage collector paused (`pattern_core.init_phase`) and a bare import does not, so
the baselines are also timed with the collector paused, and the ratios to those (like for like:
what the handler imports beyond the SDK) are reported beside the others. Everything runs on a
throw-away local database, so your bookings are untouched. With no OPENAI_API_KEY the model is
the offline stand-in, a test double: latencies then measure orchestration and plumbing, not a
model.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from local.paths import PROJECT_ROOT, scratch_state
from local.patterns import PATTERNS, pattern
from settings import env_key

MESSAGE = "Book tomorrow at 3pm"
STAND_IN_LABEL = (
    "offline stand-in (test double): a rule-based double of the OpenAI API, not an LLM; "
    "model calls, tokens and latencies are the double's, not a model's"
)
BASELINE_MODULES = {"openai": "openai", "agents": "agents"}
# A module name with this prefix is imported with the garbage collector paused, as a deployed
# function's INIT is (`pattern_core.init_phase`).
COLLECTOR_PAUSED = "collector paused:"
# The handler whose cold import is set against each baseline (issue 12's ratios).
RATIOS = {
    "A_handler_over_import_openai": ("A", "openai"),
    "E_handler_over_import_agents": ("E", "agents"),
}
EMPTY_APP = "from aws_cdk import App, Stack\napp = App()\nStack(app, 'Empty')\napp.synth()\n"


@dataclass
class ScriptedFigures:
    """The scripted rounds of one pattern, turn by turn."""

    turns: int = 0
    failures: int = 0
    bookings: int = 0
    wall_ms: list[float] = field(default_factory=list)
    llm_calls: list[int | None] = field(default_factory=list)
    tool_calls: list[int] = field(default_factory=list)
    tokens: list[int | None] = field(default_factory=list)
    lambda_invocations: list[int] = field(default_factory=list)
    state_transitions: list[int] = field(default_factory=list)

    def add(self, status: int, body: dict, wall_ms: float) -> None:
        self.turns += 1
        self.wall_ms.append(wall_ms)
        if status >= 400:
            self.failures += 1
            return
        usage = body["usage"]
        self.bookings += body["booking"] is not None
        self.llm_calls.append(usage["llm_calls"])
        self.tool_calls.append(len(usage["tool_calls"]))
        self.tokens.append(tokens_of(usage))
        self.lambda_invocations.append(usage["lambda_invocations"])
        self.state_transitions.append(usage["state_transitions"])

    def as_row(self) -> dict:
        def mean(values):
            known = [v for v in values if v is not None]
            return round(statistics.fmean(known), 1) if known else None

        ordered = sorted(self.wall_ms)
        return {
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
        }


def tokens_of(usage: dict) -> int | None:
    if usage["input_tokens"] is None:
        return None
    return usage["input_tokens"] + (usage["output_tokens"] or 0)


def scripted_turns(rounds: int, today: dt.date) -> list[str]:
    turns = []
    for n in range(rounds):
        day = (today + dt.timedelta(days=1 + n % 6)).isoformat()
        turns += [f"Book {day} at 3pm", f"What's free on {day} afternoon?", "Show my bookings"]
    return turns


class DynamoCalls:
    """Every DynamoDB API call this process makes while armed, by operation.

    A `before-call.dynamodb` handler (once per API call, retries not counted again) is added
    to botocore's built-in handlers, which every session created afterwards registers, and so
    every client of those sessions: the handlers' cached clients, the session store's, and
    those of the functions a pattern invokes in this process.
    """

    EVENT = "before-call.dynamodb"

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.armed = False

    def __call__(self, model, **_kwargs) -> None:
        if self.armed:
            self.calls[model.name] += 1

    @contextlib.contextmanager
    def installed(self) -> Iterator[DynamoCalls]:
        """Must be entered before the sessions whose clients are to be counted exist."""
        from botocore import handlers

        entry = (self.EVENT, self)
        handlers.BUILTIN_HANDLERS.append(entry)
        try:
            yield self
        finally:
            handlers.BUILTIN_HANDLERS.remove(entry)

    @contextlib.contextmanager
    def counting(self) -> Iterator[Counter[str]]:
        """Count the calls made inside the block (and only those)."""
        self.calls = Counter()
        self.armed = True
        try:
            yield self.calls
        finally:
            self.armed = False


# -- cold imports ---------------------------------------------------------------------------

BYTECODE = (
    "cached: an untimed import first writes the .pyc files; the deployed layers ship none, so "
    "Lambda also compiles the sources at a cold start"
)


def deployed_import_env(function_name: str) -> dict[str, str]:
    """This process's environment as a deployed function sees it at import: in Lambda (so
    Powertools' tracer is live, as `Tracing.ACTIVE` makes it), tracing not switched off, and
    bytecode writing allowed (see `median_import_ms`)."""
    env = dict(os.environ)
    env.pop(env_key("powertools_trace_disabled"), None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env |= {
        env_key("lambda_task_root"): str(PROJECT_ROOT / "lambdas"),
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    }
    return env


def import_once_ms(module: str, env: dict[str, str]) -> float:
    """One import of `module` in a fresh interpreter, timed inside it (startup excluded); with
    the collector paused first where the name starts with `COLLECTOR_PAUSED`."""
    paused = module.startswith(COLLECTOR_PAUSED)
    module = module.removeprefix(COLLECTOR_PAUSED)
    prelude = "import gc; gc.disable(); " if paused else ""
    code = (
        f"import time; {prelude}t = time.perf_counter(); import {module}; "
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"importing {module} failed:\n{out.stderr[-2000:]}")
    return float(out.stdout.strip().splitlines()[-1]) * 1000


def write_bytecode(modules: dict[str, dict[str, str]]) -> None:
    """Import every module once, untimed, in one interpreter that writes the `.pyc` files (an
    import that fails here fails again, with its error, when it is timed)."""
    names = dict.fromkeys(module.removeprefix(COLLECTOR_PAUSED) for module in modules)
    code = "\n".join(f"try:\n    import {module}\nexcept Exception:\n    pass" for module in names)
    env = next(iter(modules.values()), dict(os.environ))
    subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=False)


def median_import_ms(modules: dict[str, dict[str, str]], samples: int) -> dict[str, float]:
    """{module: median ms}: `samples` rounds, every module once per round, so machine load
    that drifts during the run weighs on all of them alike.

    An untimed import of every module comes first, so each timed import finds the `.pyc`
    files in place (`BYTECODE`): the figures do not depend on whether an earlier run, or an
    environment with PYTHONDONTWRITEBYTECODE, left the bytecode cache empty, which would add
    the compilation of every source file to each side of a ratio in proportion to its source
    size, not to the work its import does."""
    write_bytecode(modules)
    taken: dict[str, list[float]] = {module: [] for module in modules}
    for _ in range(samples):
        for module, env in modules.items():
            taken[module].append(import_once_ms(module, env))
    return {module: round(statistics.median(ms), 1) for module, ms in taken.items()}


def functions_of(key: str, registered: dict[str, str]) -> dict[str, str]:
    """{function name: "module:function"}: the pattern's chat function, then those the local
    runtime registered for it (C's steps, G's specialists, H's action group)."""
    prefix = f"pattern-{key.lower()}-"
    found = {f"{prefix}chat": pattern(key).handler}
    found |= {name: path for name, path in sorted(registered.items()) if name.startswith(prefix)}
    return found


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


# -- synth -----------------------------------------------------------------------------------


def cli_context() -> dict:
    """cdk.json's context plus what `npx cdk synth` adds, asset bundling skipped (the
    dependencies layer is a cached download, not the app's own work)."""
    context = json.loads((PROJECT_ROOT / "cdk.json").read_text())["context"]
    return context | {
        "aws:cdk:enable-path-metadata": True,
        "aws:cdk:enable-asset-metadata": True,
        "aws:cdk:version-reporting": True,
        "aws:cdk:bundling-stacks": [],
    }


def synth_once_ms(argv: list[str]) -> float:
    """One synth in a fresh interpreter, as the CDK CLI runs the app, wall time."""
    with tempfile.TemporaryDirectory(prefix="patterns-bench-cdk-") as outdir:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {
            "CDK_OUTDIR": outdir,
            "CDK_CONTEXT_JSON": json.dumps(cli_context()),
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        }
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, *argv], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
        )
        elapsed = (time.perf_counter() - started) * 1000
    if out.returncode != 0:
        raise RuntimeError(f"synth of {argv} failed:\n{out.stderr[-2000:]}")
    return elapsed


def synth_figures(samples: int) -> dict:
    """Median wall time of `python app.py` and of the empty app, after one untimed run of each.

    "Fresh interpreter" means a new process, not a cold bytecode cache: the untimed runs (with
    bytecode writing allowed even where PYTHONDONTWRITEBYTECODE is set) leave aws_cdk's and
    the app's `.pyc` files in place, as any earlier `cdk synth` would have. Without them each
    timed run would recompile aws_cdk's sources (seconds, on both sides of the ratio).
    """
    synth_once_ms(["app.py"])
    synth_once_ms(["-c", EMPTY_APP])
    app, empty = [], []
    for _ in range(samples):  # alternated, like the imports
        app.append(synth_once_ms(["app.py"]))
        empty.append(synth_once_ms(["-c", EMPTY_APP]))
    app_ms, empty_ms = round(statistics.median(app), 1), round(statistics.median(empty), 1)
    return {
        "app": "python app.py (every stack)",
        "baseline": "an app with one empty stack",
        "app_ms": app_ms,
        "empty_app_ms": empty_ms,
        "ratio": ratio(app_ms, empty_ms),
    }


# -- the run ---------------------------------------------------------------------------------


def measured_turn(runtime, key: str, counter: DynamoCalls) -> dict:
    """One "Book tomorrow at 3pm" on empty courts, a new session; its DynamoDB calls counted."""
    runtime.fresh_tables()
    with counter.counting() as calls:
        started = time.perf_counter()
        response = runtime.chat(key, MESSAGE, user=f"bench-turn-{key.lower()}")
        wall_ms = (time.perf_counter() - started) * 1000
    body = response.body
    usage = body.get("usage") or {}
    return {
        "message": MESSAGE,
        "status": response.status,
        "booked": (body.get("booking") or {}).get("time"),
        "dynamodb_calls": sum(calls.values()),
        "dynamodb_calls_by_operation": dict(sorted(calls.items())),
        "llm_calls": usage.get("llm_calls"),
        "tokens": tokens_of(usage) if usage else None,
        "latency_ms": round(wall_ms, 1),
    }


def run_bench(
    keys: list[str],
    rounds: int,
    *,
    samples: int = 3,
    synth: bool = True,
    progress: Callable[[str], None] = lambda _: None,
) -> dict:
    from booking.schedule import Schedule
    from local.runtime import LocalRuntime

    counter = DynamoCalls()
    rows = []
    # A scratch database, emptied before each pattern: every pattern meets the same courts.
    with scratch_state(), counter.installed(), LocalRuntime() as runtime:
        label = runtime.model_label
        offline = runtime.offline
        today = Schedule.from_env().today()
        for key in keys:
            spec = pattern(key)
            progress(f"pattern {spec.id}: turns")
            runtime.fresh_tables()
            scripted = ScriptedFigures()
            for message in scripted_turns(rounds, today):
                started = time.perf_counter()
                response = runtime.chat(spec.id, message, user=f"bench-{spec.id.lower()}")
                scripted.add(response.status, response.body, (time.perf_counter() - started) * 1000)
            turn = measured_turn(runtime, spec.id, counter)
            rows.append(
                {
                    "pattern": spec.id,
                    "functions": functions_of(spec.id, runtime.functions),
                    "dynamodb_calls_per_turn": turn["dynamodb_calls"],
                    "turn": turn,
                    **scripted.as_row(),
                }
            )
        # The imports, once the turns are done: the same environment the handlers ran in.
        modules: dict[str, dict[str, str]] = {
            prefix + module: deployed_import_env("baseline")
            for module in BASELINE_MODULES.values()
            for prefix in ("", COLLECTOR_PAUSED)
        }
        for row in rows:
            for name, handler in row["functions"].items():
                modules.setdefault(handler.partition(":")[0], deployed_import_env(name))
        progress(f"cold imports: {len(modules)} modules x {samples} fresh interpreters")
        imported = median_import_ms(modules, samples)
    for row in rows:
        row["functions"] = [
            {"name": name, "handler": handler, "cold_import_ms": imported[handler.split(":")[0]]}
            for name, handler in row["functions"].items()
        ]
        row["cold_import_ms"] = row["functions"][0]["cold_import_ms"]  # the chat function's
    baselines = {f"import_{name}_ms": imported[module] for name, module in BASELINE_MODULES.items()}
    paused_baselines = {
        f"import_{name}_ms": imported[COLLECTOR_PAUSED + module]
        for name, module in BASELINE_MODULES.items()
    }
    chat_import = {row["pattern"]: row["cold_import_ms"] for row in rows}
    ratios = {
        name: ratio(chat_import.get(key), baselines[f"import_{baseline}_ms"])
        for name, (key, baseline) in RATIOS.items()
    }
    paused_ratios = {
        name: ratio(chat_import.get(key), paused_baselines[f"import_{baseline}_ms"])
        for name, (key, baseline) in RATIOS.items()
    }
    synthesized = None
    if synth:
        progress(f"synth: python app.py and an empty app, {samples} times each")
        synthesized = synth_figures(samples)
        ratios["synth_over_empty_app"] = synthesized["ratio"]
    report = {
        "label": STAND_IN_LABEL if offline else label,
        "model": label,
        "offline_stand_in": offline,
        "notes": {key: pattern(key).local_note for key in keys if pattern(key).local_note},
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        },
        "message": MESSAGE,
        "rounds": rounds,
        "samples": samples,
        "import_env": "as deployed: in Lambda (LAMBDA_TASK_ROOT set), tracing on",
        "baselines": baselines,
        "baselines_collector_paused": paused_baselines,
        "bytecode": BYTECODE,
        "ratios": ratios,
        "ratios_to_collector_paused_baselines": paused_ratios,
        "synth": synthesized,
        "patterns": rows,
    }
    report["goals"] = goals(report)
    return report


def goals(report: dict) -> list[dict]:
    """Issue 12's goals, each with the figure this run measured (None: not measured)."""
    by_pattern = {row["pattern"]: row for row in report["patterns"]}
    ratios = report["ratios"]

    def turn(key: str, figure: str):
        return by_pattern[key]["turn"][figure] if key in by_pattern else None

    wanted = [
        ("E handler cold import / import agents", ratios["E_handler_over_import_agents"], 1.15),
        ("A handler cold import / import openai", ratios["A_handler_over_import_openai"], 1.3),
        ("python app.py / an app with one empty stack", ratios.get("synth_over_empty_app"), 1.4),
        ("DynamoDB calls in one E turn", turn("E", "dynamodb_calls"), 5),
        ("LLM calls, D", turn("D", "llm_calls"), 2),
        ("LLM calls, E", turn("E", "llm_calls"), 2),
        ("LLM calls, F", turn("F", "llm_calls"), 4),
        ("LLM calls, G", turn("G", "llm_calls"), 4),
    ]
    return [
        {
            "what": what,
            "measured": value,
            "at_most": limit,
            "met": None if value is None else value <= limit,
        }
        for what, value, limit in wanted
    ]


# -- the text table ------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _cells(rows: list[dict], columns: list[tuple[str, Callable[[dict], object]]]) -> list[str]:
    """Right-aligned text columns: a title line, then one line per row."""
    table = [[title for title, _ in columns]]
    table += [[_cell(get(row)) for _, get in columns] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    return [
        "  ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True)) for line in table
    ]


def format_table(report: dict) -> str:
    rows = report["patterns"]
    lines = [f"model: {report['label']}"]
    lines += [f"{key}: {note}" for key, note in report["notes"].items()]
    machine = report["machine"]
    lines.append(
        f"machine: {machine['cpus']} CPUs, Python {machine['python']}, "
        f"load {machine['load_average_1m']}; medians of {report['samples']} fresh interpreters"
    )
    lines += ["", f'One turn, "{report["message"]}", empty courts (cold import: chat function):']
    lines += _cells(
        rows,
        [
            ("pattern", lambda r: r["pattern"]),
            ("booked", lambda r: r["turn"]["booked"]),
            ("dynamodb calls", lambda r: r["turn"]["dynamodb_calls"]),
            ("llm calls", lambda r: r["turn"]["llm_calls"]),
            ("tokens", lambda r: r["turn"]["tokens"]),
            ("latency ms", lambda r: r["turn"]["latency_ms"]),
            ("cold import ms", lambda r: r["cold_import_ms"]),
        ],
    )
    lines += ["", f"Scripted rounds (book, what's free, my bookings) x {report['rounds']}:"]
    lines += _cells(
        rows,
        [
            ("pattern", lambda r: r["pattern"]),
            ("turns", lambda r: r["turns"]),
            ("fail", lambda r: r["failures"]),
            ("booked", lambda r: r["bookings"]),
            ("p50 ms", lambda r: r["p50_ms"]),
            ("p95 ms", lambda r: r["p95_ms"]),
            ("llm/turn", lambda r: r["llm_calls_per_turn"]),
            ("tools/turn", lambda r: r["tool_calls_per_turn"]),
            ("tokens/turn", lambda r: r["tokens_per_turn"]),
            ("lambdas/turn", lambda r: r["lambda_invocations_per_turn"]),
            ("transitions/turn", lambda r: r["state_transitions_per_turn"]),
        ],
    )
    lines += ["", f"Cold import of each function ({report['import_env']}):"]
    functions = [f | {"pattern": r["pattern"]} for r in rows for f in r["functions"]]
    functions += [
        {"pattern": "-", "name": f"bare import {name}", "handler": module, "cold_import_ms": ms}
        for (name, module), ms in zip(
            BASELINE_MODULES.items(), report["baselines"].values(), strict=True
        )
    ]
    lines += _cells(
        functions,
        [
            ("pattern", lambda f: f["pattern"]),
            ("function", lambda f: f["name"]),
            ("handler", lambda f: f["handler"]),
            ("ms", lambda f: f["cold_import_ms"]),
        ],
    )
    lines += [
        f"  (bare import {name} with the garbage collector paused, as the handlers' INIT runs: "
        f"{ms:,} ms)"
        for name, ms in zip(
            BASELINE_MODULES, report["baselines_collector_paused"].values(), strict=True
        )
    ]
    lines += ["", "Ratios, measured side by side in this run:"]
    lines += [
        f"  {name}: {'-' if value is None else value}" for name, value in report["ratios"].items()
    ]
    lines += [
        f"  {name}, to the import with the collector paused: {'-' if value is None else value}"
        for name, value in report["ratios_to_collector_paused_baselines"].items()
    ]
    if report["synth"]:
        synth = report["synth"]
        lines.append(
            f"  synth: {synth['app']} {synth['app_ms']:,} ms, {synth['baseline']} "
            f"{synth['empty_app_ms']:,} ms"
        )
    lines += ["", "Issue 12's goals:"]
    for goal in report["goals"]:
        verdict = {True: "met", False: "NOT met", None: "not measured"}[goal["met"]]
        lines.append(f"  {goal['what']}: {goal['measured']} (at most {goal['at_most']}) {verdict}")
    return "\n".join(lines)


def default_keys() -> list[str]:
    return list(PATTERNS)
