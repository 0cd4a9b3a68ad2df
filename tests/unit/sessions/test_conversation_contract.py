"""The in-memory `MemoryConversation` the orchestration tests use keeps the contract of the real
`Conversation`: the same cases run against the fake, against the sessions table under moto, and
against the local DynamoDB server (dynalite), so a fake that drifts fails here."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from local.dynamodb import SESSIONS_TABLE, local_dynamodb
from pattern_core.agent_runtime.sessions import ConversationStore
from tests.unit.sessions.builders import assistant, store, user
from tests.unit.sessions.fakes import MemoryConversation

# A new turn of (caller, session id): a fresh conversation object over the same storage.
OpenTurn = Callable[[str, str], object]


@pytest.fixture(
    params=["fake", "moto", pytest.param("local_server", marks=pytest.mark.local_server)]
)
def open_turn(request, tmp_path, monkeypatch) -> Iterator[OpenTurn]:
    if request.param == "fake":
        table: dict = {}
        yield lambda owner, session_id: MemoryConversation(owner, session_id, table)
    elif request.param == "moto":
        sessions = store(request.getfixturevalue("client"))
        yield lambda owner, session_id: sessions.conversation("D", session_id, owner)
    else:
        monkeypatch.setenv("PATTERNS_HOME", str(tmp_path))
        with local_dynamodb() as server:
            sessions = ConversationStore(SESSIONS_TABLE, server.client())
            run = uuid.uuid4().hex  # the server may be shared: this test's own session ids
            yield lambda owner, session_id: sessions.conversation("D", f"{run}-{session_id}", owner)


def test_a_new_session_is_empty(open_turn):
    assert open_turn("alice", "s1").items() == []


def test_written_messages_come_back_in_order_on_the_next_turn(open_turn):
    open_turn("alice", "s1").append([user("Book tomorrow at 3pm"), assistant("Booked.")])
    open_turn("alice", "s1").append([user("And 4pm?")])

    assert open_turn("alice", "s1").items() == [
        user("Book tomorrow at 3pm"),
        assistant("Booked."),
        user("And 4pm?"),
    ]


def test_added_messages_are_seen_in_the_turn_and_stored_only_when_flushed(open_turn):
    turn = open_turn("alice", "s1")
    turn.add([user("hello")])

    assert turn.items() == [user("hello")]
    assert open_turn("alice", "s1").items() == []
    turn.flush()
    assert open_turn("alice", "s1").items() == [user("hello")]


def test_the_latest_items_are_the_last_ones(open_turn):
    open_turn("alice", "s1").append([user("one"), assistant("two"), user("three")])

    assert open_turn("alice", "s1").items(limit=2) == [assistant("two"), user("three")]


def test_a_session_id_never_reaches_another_callers_history(open_turn):
    open_turn("alice", "s1").append([user("alice's message")])

    assert open_turn("mallory", "s1").items() == []
    assert open_turn("alice", "s2").items() == []
