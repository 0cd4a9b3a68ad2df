"""Pattern C through the `patterns` CLI on the local DynamoDB server: the API Lambda's
StartSyncExecution runs the deployed definition in moto's interpreter and each step Lambda
in the CLI's process. The issue's acceptance run, as a user types it, each command its own
`patterns` run (in this process: tests.utils.run_cli)."""

import functools
import json

import pytest

from tests.utils import run_cli, serving_database

pytestmark = pytest.mark.local_server


@pytest.fixture
def patterns(tmp_path, local_dynamodb_server):
    """`patterns ARGS` on this test's home, whose database starts empty."""
    return functools.partial(run_cli, serving_database(tmp_path, local_dynamodb_server))


def test_booking_through_the_state_machine_reports_two_model_calls_and_its_own_counts(patterns):
    # Four players (one person cannot hold two courts at one time)
    runs = [
        patterns("chat", "C", "Book tomorrow at 3pm", "--json", "--user", user)
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


def test_patterns_b_and_c_share_one_database_and_answer_alike(patterns):
    b = json.loads(patterns("chat", "B", "Book Friday at 10am", "--json", "--user", "ann").stdout)
    c = json.loads(patterns("chat", "C", "Book Friday at 10am", "--json", "--user", "ben").stdout)

    assert (b["booking"]["court"], c["booking"]["court"]) == ("Court A", "Court B")
    assert (
        b["reply"].replace("Court A", "Court X").split(" Your booking id")[0]
        == c["reply"].replace("Court B", "Court X").split(" Your booking id")[0]
    )
    assert b["usage"]["lambda_invocations"] == 1 and b["usage"]["state_transitions"] == 0
