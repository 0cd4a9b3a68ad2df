"""The DynamoDB conversation store: order, per-caller keys, TTL and the size bounds (under moto)."""

from __future__ import annotations

import asyncio
import json

from pattern_core.agent_runtime.session_table import TTL_ATTRIBUTE
from pattern_core.agent_runtime.sessions import (
    DynamoSession,
)
from tests.unit.sessions.builders import (
    NOW,
    TABLE,
    assistant,
    store,
    tool_call,
    tool_output,
    user,
)


def raw_items(client) -> list[dict]:
    return client.scan(TableName=TABLE)["Items"]


def test_history_comes_back_in_the_order_it_was_written_across_turns(client):
    conversation = store(client).conversation("E", "s1", "alice")
    conversation.append([user("what's free?"), tool_call("c1"), tool_output("c1")])
    conversation.append([assistant("14:00 is free"), user("book it")])

    again = store(client).conversation("E", "s1", "alice")  # a new container, say
    assert again.items() == [
        user("what's free?"),
        tool_call("c1"),
        tool_output("c1"),
        assistant("14:00 is free"),
        user("book it"),
    ]
    assert again.items(limit=2) == [assistant("14:00 is free"), user("book it")]


def test_each_message_is_its_own_item_with_a_ttl(client):
    conversation = store(client, ttl_seconds=3600).conversation("D", "s1", "alice")
    conversation.append([user("hi"), assistant("hello")])

    items = raw_items(client)
    messages = [i for i in items if i["sk"]["S"].startswith("item#")]
    assert len(messages) == 2
    assert {int(i[TTL_ATTRIBUTE]["N"]) for i in items} == {NOW + 3600}


def test_another_caller_with_the_same_session_id_gets_a_fresh_conversation(client):
    # Given alice's conversation under "s1"
    store(client).conversation("E", "s1", "alice").append([user("my secret plans")])

    # When mallory uses the same id, reads and writes
    mallory = store(client).conversation("E", "s1", "mallory")
    seen = mallory.items()
    mallory.append([user("me too")])

    # Then mallory saw nothing of alice's, and each keeps their own history
    assert seen == []
    assert mallory.items() == [user("me too")]
    assert store(client).conversation("E", "s1", "alice").items() == [user("my secret plans")]


def test_a_session_id_used_first_by_someone_else_is_still_the_callers_own(client):
    # Given bob wrote first under the id alice is about to use
    store(client).conversation("E", "shared-id", "bob").append([user("bob was here")])

    # When alice uses it, twice
    alice = store(client).conversation("E", "shared-id", "alice")
    alice.append([user("hello")])
    alice.append([assistant("hi alice")])

    # Then nobody locked her out: she has her own conversation, bob keeps his
    assert store(client).conversation("E", "shared-id", "alice").items() == [
        user("hello"),
        assistant("hi alice"),
    ]
    assert store(client).conversation("E", "shared-id", "bob").items() == [user("bob was here")]


def test_the_table_keys_hold_neither_the_caller_nor_the_raw_session_id(client):
    caller = "arn:aws:iam::123456789012:user/alice"
    store(client).conversation("E", "s1", caller).append([user("hi")])

    keys = {item["pk"]["S"] for item in raw_items(client)}
    assert len(keys) == 1
    (key,) = keys
    assert key.startswith("E#") and caller not in key and not key.endswith("#s1")


def test_the_same_session_id_in_another_pattern_is_another_conversation(client):
    store(client).conversation("D", "s1", "alice").append([user("chat message")])
    assert store(client).conversation("E", "s1", "alice").items() == []


def test_a_long_conversation_keeps_only_the_latest_whole_turns(client):
    conversation = store(client, max_items=5).conversation("E", "s1", "alice")
    for turn in range(4):
        conversation.append(
            [user(f"q{turn}"), tool_call(f"c{turn}"), tool_output(f"c{turn}"), assistant("a")]
        )

    kept = conversation.items()
    # 16 messages written, at most 5 kept, and history starts at a user message.
    assert kept == [user("q3"), tool_call("c3"), tool_output("c3"), assistant("a")]
    assert len([i for i in raw_items(client) if i["sk"]["S"].startswith("item#")]) == 4


def test_history_is_bounded_in_bytes_too(client):
    conversation = store(client, max_bytes=2_000).conversation("E", "s1", "alice")
    for turn in range(5):
        conversation.append([user(f"q{turn}"), tool_output(f"c{turn}", "x" * 600)])

    kept = conversation.items()
    # ~700 bytes a turn: the last two turns fit in 2,000 bytes, three would not.
    assert [i.get("content") or i["call_id"] for i in kept] == ["q3", "c3", "q4", "c4"]


def test_an_oversized_message_is_shortened_not_dropped(client):
    conversation = store(client, max_item_bytes=1_000).conversation("E", "s1", "alice")
    conversation.append([user("q"), tool_output("c1", "y" * 50_000)])

    stored = conversation.items()[-1]
    assert stored["call_id"] == "c1"
    assert stored["output"].endswith("[truncated]")
    assert len(json.dumps(stored)) <= 1_000


def test_agents_sdk_session_interface_round_trips(client):
    session = DynamoSession(store(client).conversation("F", "s1", "alice"))

    async def scenario():
        await session.add_items([user("a"), assistant("b")])
        popped = await session.pop_item()
        return popped, await session.get_items(), await session.clear_session()

    popped, remaining, _ = asyncio.run(scenario())
    assert popped == assistant("b")
    assert remaining == [user("a")]
    assert asyncio.run(session.get_items()) == []


def test_dynamo_session_satisfies_the_agents_sdk_session_protocol(client):
    from agents.memory import Session

    assert isinstance(DynamoSession(store(client).conversation("E", "s1", "alice")), Session)
