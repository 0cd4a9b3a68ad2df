"""`patterns bench --json` (issue 12): the report's shape and that its figures agree with each
other — never how fast anything is (speed is the bench's output, not a test's threshold)."""

from __future__ import annotations

import json

import boto3
import pytest

from local.bench import MESSAGE, format_table
from tests.utils import run_cli as patterns

pytestmark = pytest.mark.local_server

BENCH_ARGS = ("--patterns", "A,E,H", "--rounds", "1", "--samples", "1")


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    """One bench run of A, E and H (the baselines' two patterns and one with a second
    function), after alice booked in the local store the bench must leave alone. The commands
    run in this process (tests.utils.run_cli); the bench's cold imports are fresh interpreters
    of their own."""
    home = tmp_path_factory.mktemp("bench-home")
    booked = patterns(home, "chat", "A", "Book tomorrow at 9am", "--user", "alice")
    assert booked.returncode == 0, booked.stderr
    with pytest.MonkeyPatch.context() as patch:
        # The bench counts DynamoDB calls with a handler botocore gives every session created
        # after it: boto3's default session, too, is made afresh, as in a `patterns` process.
        patch.setattr(boto3, "DEFAULT_SESSION", None)
        run = patterns(home, "bench", "--json", "--no-synth", *BENCH_ARGS)
    assert run.returncode == 0, run.stderr[-3000:]
    return home, json.loads(run.stdout)


def test_the_report_is_labelled_as_the_offline_stand_in_in_json_and_in_the_table(bench):
    _, report = bench

    assert report["offline_stand_in"] is True
    assert "offline stand-in (test double)" in report["label"]
    assert "offline stand-in (test double)" in format_table(report)
    assert report["notes"]["H"]  # H's Bedrock is simulated, and the report says so


def test_each_pattern_books_the_measured_turn_and_counts_its_dynamodb_calls(bench):
    _, report = bench

    assert [row["pattern"] for row in report["patterns"]] == ["A", "E", "H"]
    for row in report["patterns"]:
        turn = row["turn"]
        assert turn["message"] == MESSAGE and turn["status"] == 200
        assert turn["booked"] == "15:00"
        # At least the slots' read and the booking's write; every call is one of an operation
        operations = set(turn["dynamodb_calls_by_operation"])
        assert "PutItem" in operations and operations & {"Query", "BatchGetItem"}
        assert turn["dynamodb_calls"] == sum(turn["dynamodb_calls_by_operation"].values())
        assert row["dynamodb_calls_per_turn"] == turn["dynamodb_calls"]
        assert turn["llm_calls"] >= 1 and turn["tokens"] > 0 and turn["latency_ms"] > 0
        assert row["turns"] == 3 and row["failures"] == 0 and row["bookings"] == 1
    by_pattern = {row["pattern"]: row for row in report["patterns"]}
    assert by_pattern["A"]["turn"]["llm_calls"] == 1  # A: one model call, then plain code
    # A books a named time with one read of that time's slots and the caller's ledger
    assert by_pattern["A"]["turn"]["dynamodb_calls_by_operation"] == {
        "BatchGetItem": 1,
        "UpdateItem": 1,
        "PutItem": 1,
    }
    # E's turn also reads and writes its conversation history
    assert "BatchWriteItem" in by_pattern["E"]["turn"]["dynamodb_calls_by_operation"]


def test_cold_imports_cover_every_function_and_the_ratios_are_measured_ones(bench):
    _, report = bench

    functions = {row["pattern"]: row["functions"] for row in report["patterns"]}
    assert [f["name"] for f in functions["A"]] == ["pattern-a-chat"]
    assert [f["name"] for f in functions["H"]] == ["pattern-h-chat", "pattern-h-actions"]
    assert functions["H"][1]["handler"] == "pattern_h.actions:handler"
    for row in report["patterns"]:
        assert all(f["cold_import_ms"] > 0 for f in row["functions"])
        assert row["cold_import_ms"] == row["functions"][0]["cold_import_ms"]
    baselines = report["baselines"]
    assert baselines["import_openai_ms"] > 0 and baselines["import_agents_ms"] > 0
    ratios = report["ratios"]
    a, e = (functions[key][0]["cold_import_ms"] for key in ("A", "E"))
    assert ratios["A_handler_over_import_openai"] == pytest.approx(
        a / baselines["import_openai_ms"], abs=1e-3
    )
    assert ratios["E_handler_over_import_agents"] == pytest.approx(
        e / baselines["import_agents_ms"], abs=1e-3
    )
    assert report["synth"] is None and "synth_over_empty_app" not in ratios  # --no-synth
    # the like-for-like ratios: to the same imports with the collector paused, as INIT runs
    paused = report["baselines_collector_paused"]
    assert paused.keys() == baselines.keys() and all(ms > 0 for ms in paused.values())
    like_for_like = report["ratios_to_collector_paused_baselines"]
    assert like_for_like["A_handler_over_import_openai"] == pytest.approx(
        a / paused["import_openai_ms"], abs=1e-3
    )
    assert like_for_like["E_handler_over_import_agents"] == pytest.approx(
        e / paused["import_agents_ms"], abs=1e-3
    )


def test_the_goals_repeat_the_measured_figures(bench):
    _, report = bench

    goals = {goal["what"]: goal for goal in report["goals"]}
    (e_turn,) = [row["turn"] for row in report["patterns"] if row["pattern"] == "E"]
    assert goals["DynamoDB calls in one E turn"]["measured"] == e_turn["dynamodb_calls"]
    assert goals["LLM calls, E"]["measured"] == e_turn["llm_calls"]
    assert goals["LLM calls, D"]["measured"] is None  # D was not run
    for goal in report["goals"]:
        expected = None if goal["measured"] is None else goal["measured"] <= goal["at_most"]
        assert goal["met"] is expected


def test_the_bench_leaves_the_local_bookings_alone(bench):
    home, _ = bench

    mine = patterns(home, "chat", "A", "Show my bookings", "--user", "alice")

    assert "Wed 25 Nov at 09:00" in mine.stdout
