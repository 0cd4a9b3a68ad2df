"""Pattern C through the `patterns` CLI, in a separate process, on the local DynamoDB server:
the API Lambda's StartSyncExecution runs the deployed definition in moto's interpreter and
each step Lambda in-process. The issue's acceptance run, exactly as a user types it."""

import json

import pytest

from tests.utils import run_patterns as patterns

pytestmark = pytest.mark.local_server


def test_booking_through_the_state_machine_reports_two_model_calls_and_its_own_counts(tmp_path):
    # Four players (one person cannot hold two courts at one time)
    runs = [
        patterns(tmp_path, "chat", "C", "Book tomorrow at 3pm", "--json", "--user", user)
        for user in ("ann", "ben", "cat", "dan")
    ]

    bodies = [json.loads(run.stdout) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0]
    assert [b["booking"]["court"] for b in bodies[:3]] == ["Court A", "Court B", "Court C"]
    assert all(b["usage"]["llm_calls"] == 2 for b in bodies)
    # API Lambda + Understand, FindSlots, ChooseSlot, Book, WriteReply; plus the Choice state.
    assert [
        (b["usage"]["lambda_invocations"], b["usage"]["state_transitions"]) for b in bodies
    ] == [
        (6, 6),
        (6, 6),
        (6, 6),
        (4, 4),  # nothing free: the Choice skips ChooseSlot and Book
    ]
    assert bodies[3]["booking"] is None
    assert "15:00 on Wed 25 Nov is fully booked" in bodies[3]["reply"]
    assert "offline model" in runs[0].stderr


def test_patterns_b_and_c_share_one_database_and_answer_alike(tmp_path):
    b = json.loads(
        patterns(tmp_path, "chat", "B", "Book Friday at 10am", "--json", "--user", "ann").stdout
    )
    c = json.loads(
        patterns(tmp_path, "chat", "C", "Book Friday at 10am", "--json", "--user", "ben").stdout
    )

    assert (b["booking"]["court"], c["booking"]["court"]) == ("Court A", "Court B")
    assert (
        b["reply"].replace("Court A", "Court X").split(" Your booking id")[0]
        == c["reply"].replace("Court B", "Court X").split(" Your booking id")[0]
    )
    assert b["usage"]["lambda_invocations"] == 1 and b["usage"]["state_transitions"] == 0
