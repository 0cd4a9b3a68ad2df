"""`patterns eval`: the report's shape, and judgements that rest on the store's state.

The judge is checked on observations built by hand (a body that claims a booking the store
lacks, a store that changed without a word); the suite itself runs through the real CLI and
handlers on the offline stand-in (a labelled test double), where a run whose stored outcome is
made wrong after the handler answered must be reported failed. `patterns eval` runs in this
process (tests.utils.run_cli), as it would in its own.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from booking.store import DynamoBookingStore
from local.dynamodb import BOOKINGS_TABLE
from local.eval import Held, Observation, judge, run_scenario
from local.eval_scenarios import SCENARIOS, At, Scenario, Turn
from local.runtime import LocalRuntime
from tests.integration.conftest import parse_each_definition_once
from tests.utils import as_cli_process, run_cli, serving_database

TODAY = dt.date(2026, 11, 24)
SCENARIOS_BY_NAME = {s.name: s for s in SCENARIOS}
ME = "arn:aws:iam::000000000000:user/eval-caller"
BOB = "arn:aws:iam::000000000000:user/eval-bob"
BOOK = Scenario(
    "book",
    "book",
    (Turn("Book tomorrow at 3pm", books=(At(1, "15:00"),)),),
    holds=(At(1, "15:00"),),
)


def _public(held: Held) -> dict:
    slot_id = held.booking_id.partition(".")[0]
    return {
        "booking_id": held.booking_id,
        "slot_id": slot_id,
        "court": held.court,
        "date": held.date,
        "time": held.time,
    }


MINE = Held("2026-11-25_CourtA_1500.0000aaaa", "Court A", "2026-11-25", "15:00", ME)
BOBS = Held("2026-11-25_CourtB_1500.0000bbbb", "Court B", "2026-11-25", "15:00", BOB)


def _seen(body: dict, store_after: list[Held], seeded: list[Held] | None = None) -> Observation:
    return Observation(TODAY, ME, seeded or [], [(200, body)], store_after)


# -- the judge -------------------------------------------------------------------------------
def test_a_booking_reported_and_stored_passes():
    assert judge(BOOK, _seen({"bookings": [_public(MINE)]}, [MINE])) == []


def test_a_booking_the_body_reports_but_the_store_lacks_fails():
    problems = judge(BOOK, _seen({"bookings": [_public(MINE)]}, store_after=[]))

    assert f"reported booking {MINE.booking_id} is not in the store" in problems
    assert any(p.startswith("store holds [] for the caller") for p in problems)


def test_a_booking_stored_without_being_reported_fails():
    problems = judge(BOOK, _seen({"bookings": []}, store_after=[MINE]))

    assert problems == ["turn 1: reported bookings [], expected [today+1 15:00 any court]"]


def test_another_callers_booking_removed_fails_even_when_the_callers_outcome_is_right():
    problems = judge(BOOK, _seen({"bookings": [_public(MINE)]}, [MINE], seeded=[BOBS]))

    assert problems == [
        "other callers' bookings changed: [2026-11-25 15:00 Court B] → []",
    ]


def test_a_status_outside_the_expected_ones_fails():
    refused = {"error": {"code": "model_error", "message": "…"}}
    seen = Observation(TODAY, ME, [], [(502, refused)], [])

    problems = judge(Scenario("ambiguous", "ask", (Turn("Book a court"),)), seen)

    assert problems == ["turn 1: HTTP 502 model_error, expected [200]"]


def test_the_suite_covers_the_kinds_of_request_the_issue_names():
    assert [s.name for s in SCENARIOS] == [
        "book",
        "ask-then-book",
        "full-slot",
        "part-of-day",
        "by-position",
        "ambiguous",
        "list",
        "cancel",
        "move",
        "others-booking",
        "outside-window",
        "malformed-slot",
    ]


def test_a_listing_is_judged_by_the_booking_ids_its_reply_gives():
    listing = SCENARIOS_BY_NAME["list"]
    mine, theirs = MINE, BOBS

    def judged(reply: str) -> list[str]:
        return judge(listing, _seen({"reply": reply}, [mine, theirs], seeded=[mine, theirs]))

    silent = judged("You have bookings.")
    leaking = judged(f"{mine.booking_id}, {theirs.booking_id}")
    listed = judged(f"Court A at 15:00 ({mine.booking_id})")

    assert f"turn 1: the reply gives no id for the caller's {[mine.booking_id]}" in silent
    assert f"turn 1: the reply gives another caller's booking {[theirs.booking_id]}" in leaking
    assert not [p for p in listed if p.startswith("turn 1")]


# -- the suite through the real handlers ------------------------------------------------------
# One run of the whole suite on all eight patterns (the default), shared by the tests below: it
# is what proves the issue's claim, and costs about as much as the patterns' own turns.
@pytest.fixture(scope="module")
def report(tmp_path_factory):
    # C's 14 executions share one parse of its definition, as its other tests do (~10 s less)
    with pytest.MonkeyPatch.context() as monkeypatch:
        parse_each_definition_once(monkeypatch)
        run = run_cli(tmp_path_factory.mktemp("eval"), "eval", "--json")
    assert run.stdout, run.stderr
    return run, json.loads(run.stdout)


@pytest.mark.local_server
def test_eval_json_reports_every_scenario_per_pattern_with_usage(report):
    run, body = report

    assert body["model_is_test_double"] is True
    assert "offline model" in body["model"]
    assert body["today"] == "2026-11-24" and body["repeat"] == 1
    assert [p["pattern"] for p in body["patterns"]] == list("ABCDEFGH")
    for figures in body["patterns"]:
        assert [r["scenario"] for r in figures["scenarios"]] == [s.name for s in SCENARIOS]
        for result in figures["scenarios"]:
            assert result["runs"] == 1
            assert result["passed"] in (0, 1)
            assert (result["passed"] == 1) == (result["failures"] == [])
        assert figures["turns"] == sum(len(s.turns) for s in SCENARIOS)
        assert sum(figures["statuses"].values()) == figures["turns"]
        assert figures["llm_calls_per_turn"] >= 1 or figures["pattern"] == "H"
        assert figures["p50_ms"] > 0
        applicable = [r for r in figures["scenarios"] if not r["by_design"]]
        assert figures["runs"] == len(applicable)
        assert figures["passed"] == sum(r["passed"] for r in applicable)
    # the exit status says whether anything failed that is not failing by design
    failed = [r for p in body["patterns"] for r in p["scenarios"] if r["failures"]]
    assert run.returncode == (1 if any(not r["by_design"] for r in failed) else 0)


@pytest.mark.local_server
def test_with_the_offline_model_every_scenario_passes_on_d_to_h(report):
    run, body = report

    for figures in body["patterns"][3:]:
        failed = {r["scenario"]: r["failures"] for r in figures["scenarios"] if r["failures"]}
        assert failed == {}, figures["pattern"]
        assert not any(r["by_design"] for r in figures["scenarios"]), figures["pattern"]
        assert figures["success_rate"] == 1.0
    assert run.returncode == 0


@pytest.mark.local_server
def test_every_a_to_c_failure_is_one_their_design_explains(report):
    _, body = report
    expected = {
        "A": {"ask-then-book"},
        "B": {"ask-then-book", "move", "list", "cancel"},
        "C": {"ask-then-book", "move", "list", "cancel"},
    }

    for figures in body["patterns"][:3]:
        pattern = figures["pattern"]
        by_design = {r["scenario"]: r for r in figures["scenarios"] if r["by_design"]}
        assert set(by_design) == expected[pattern]
        assert {r["scenario"] for r in figures["scenarios"] if r["failures"]} <= set(by_design)
        assert figures["success_rate"] == 1.0, pattern
        if pattern != "A":  # the listing is judged by the ids the reply gives; A lists in code
            assert by_design["list"]["failures"][0].startswith("turn 1: the reply gives no id")


@pytest.mark.local_server
def test_eval_judges_plain_requests_the_stand_in_handles(report):
    _, body = report
    for figures in body["patterns"]:
        passed = {r["scenario"] for r in figures["scenarios"] if r["passed"]}
        assert {"book", "full-slot", "others-booking"} <= passed


@pytest.mark.local_server
def test_repeat_runs_every_scenario_that_many_times(tmp_path):
    run = run_cli(tmp_path, "eval", "--patterns", "A", "--repeat", "2", "--json")

    (figures,) = json.loads(run.stdout)["patterns"]
    assert [r["runs"] for r in figures["scenarios"]] == [2] * len(SCENARIOS)
    assert figures["turns"] == 2 * sum(len(s.turns) for s in SCENARIOS)
    assert figures["runs"] == 2 * sum(1 for s in SCENARIOS if "A" not in s.by_design)


@pytest.mark.parametrize("repeat", ["0", "-1", "two"])
def test_a_repeat_below_one_is_refused_before_anything_runs(tmp_path, repeat):
    run = run_cli(tmp_path, "eval", "--patterns", "A", "--repeat", repeat)

    assert run.returncode == 2 and run.stdout == ""
    assert "argument --repeat:" in run.stderr
    assert ("not a whole number" if repeat == "two" else f"at least 1, not {repeat}") in run.stderr


@pytest.mark.local_server
def test_a_run_whose_stored_booking_vanishes_after_the_answer_is_reported_failed(
    tmp_path, local_dynamodb_server
):
    # Given the real handler books tomorrow 15:00 and answers so, and then the booking is
    # deleted from the store behind its back
    book = SCENARIOS_BY_NAME["book"]
    home = serving_database(tmp_path, local_dynamodb_server)
    with as_cli_process(home), LocalRuntime() as runtime:

        class Undone:
            database = runtime.database
            fresh_tables = runtime.fresh_tables

            def chat(self, *args, **kwargs):
                result = runtime.chat(*args, **kwargs)
                store = DynamoBookingStore(BOOKINGS_TABLE, runtime.database.client())
                owner = {booking.booking_id: o for booking, o in store.all_bookings()}
                for b in result.body["bookings"]:
                    store.remove(b["booking_id"], b["slot_id"], owner[b["booking_id"]])
                return result

        honest = judge(book, run_scenario(runtime, "A", book))
        undone = run_scenario(Undone(), "A", book)
    body = undone.turns[0][1]

    # Then the same scenario passes when the store keeps the booking, and fails when it
    # does not, although the body still reports it
    assert honest == []
    assert [b["time"] for b in body["bookings"]] == ["15:00"]
    booking_id = body["bookings"][0]["booking_id"]
    assert f"reported booking {booking_id} is not in the store" in judge(book, undone)


@pytest.mark.local_server
def test_eval_text_names_the_test_double_and_the_by_design_failures(tmp_path):
    run = run_cli(tmp_path, "eval", "--patterns", "B")

    lines = run.stdout.splitlines()
    assert lines[0].startswith("model:  offline model")
    assert "a test double" in lines[1]
    header = next(line for line in lines if line.startswith("scenario"))
    assert header.split() == ["scenario", "B"]
    names = {s.name for s in SCENARIOS}
    rows = {parts[0]: parts[1] for parts in map(str.split, lines) if parts and parts[0] in names}
    assert set(rows) == names
    assert rows["book"] == "pass"
    assert rows["ambiguous"] == "pass"
    # a failure by design is starred, and the star explained
    starred = {name for name, cell in rows.items() if cell.endswith("*")}
    assert starred <= {s.name for s in SCENARIOS if "B" in s.by_design}
    reasons = {SCENARIOS_BY_NAME[name].by_design["B"] for name in starred}
    assert reasons == {line.removeprefix("* ") for line in lines if line.startswith("* ")}
