"""Issue 12: a turn costs the session store one Query and one BatchWriteItem (under moto).

The calls are counted at the client (botocore's `before-parameter-build` hook), so every
DynamoDB call the store makes is seen, whatever it is.
"""

from __future__ import annotations

import asyncio
import json

import openai
import pytest
from agents.testing import ModelStep

from pattern_core.agent_runtime.runtime import run_sync
from pattern_core.agent_runtime.session_table import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE
from pattern_core.agent_runtime.sessions import DynamoSession
from pattern_d.orchestration import handle_turn as pattern_d_turn
from pattern_e.orchestration import handle_turn as pattern_e_turn
from tests.conftest import TOMORROW
from tests.fakes import ScriptedOpenAI, model_unreachable
from tests.fakes import call as chat_call
from tests.unit.agent_scripts import call, chat_turn, scripted
from tests.unit.sessions.builders import (
    NOW,
    TABLE,
    assistant,
    store,
    tool_call,
    tool_output,
    user,
)

SLOT = f"{TOMORROW.isoformat()}_CourtB_1500"


@pytest.fixture
def calls(client):
    """The DynamoDB operations the store calls, in order."""
    made: list[str] = []
    client.meta.events.register(
        "before-parameter-build.dynamodb", lambda model, **_: made.append(model.name)
    )
    return made


def sdk_turn(session: DynamoSession, *steps: list[dict]) -> list:
    """What the Agents SDK does in a run: read the history, add the input and each step's
    items, reading the tail back in between; then the runtime's flush. Returns the reads."""

    async def run():
        reads = [await session.get_items()]
        for items in steps:
            await session.add_items(items)
            reads.append(await session.get_items(limit=len(items)))
        await session.flush()
        return reads

    return asyncio.run(run())


def messages(client) -> list[dict]:
    items = client.scan(TableName=TABLE)["Items"]
    return sorted((i for i in items if i[SORT_KEY]["S"] != "#meta"), key=lambda i: i[SORT_KEY]["S"])


def test_an_agents_sdk_turn_is_one_query_and_one_batch_write(client, calls):
    session = DynamoSession(store(client).conversation("E", "s1", "alice"))
    turn = [[user("book 3pm")], [tool_call("c1"), tool_output("c1")], [assistant("booked")]]

    reads = sdk_turn(session, *turn)

    # Then the four add_items cost nothing until the flush, and the SDK's read-backs saw them
    assert calls == ["Query", "BatchWriteItem"]
    assert reads[1:] == turn
    assert store(client).conversation("E", "s1", "alice").items() == [
        item for step in turn for item in step
    ]


def test_the_next_turn_sees_the_first_and_costs_the_same(client, calls):
    first = [[user("what's free?")], [assistant("14:00")]]
    sdk_turn(DynamoSession(store(client).conversation("E", "s1", "alice")), *first)
    calls.clear()

    reads = sdk_turn(
        DynamoSession(store(client).conversation("E", "s1", "alice")), [user("book it")]
    )

    assert calls == ["Query", "BatchWriteItem"]
    assert reads[0] == [user("what's free?"), assistant("14:00")]


def test_trimming_old_turns_happens_in_the_same_one_write(client, calls):
    for turn in range(4):
        conversation = store(client, max_items=5).conversation("E", "s1", "alice")
        conversation.items()
        conversation.append([user(f"q{turn}"), tool_call(f"c{turn}"), tool_output(f"c{turn}")])
        assert calls == ["Query", "BatchWriteItem"], f"turn {turn}"
        calls.clear()

    assert store(client).conversation("E", "s1", "alice").items() == [
        user("q3"),
        tool_call("c3"),
        tool_output("c3"),
    ]
    assert len(messages(client)) == 3  # the dropped turns are deleted, not just hidden


def test_the_meta_item_counts_what_is_kept_and_carries_the_ttl(client):
    conversation = store(client, ttl_seconds=3600).conversation("E", "s1", "alice")
    conversation.append([user("hi"), assistant("hello")])
    conversation.append([user("again")])

    (meta,) = [i for i in client.scan(TableName=TABLE)["Items"] if i[SORT_KEY]["S"] == "#meta"]
    sizes = [int(i["bytes"]["N"]) for i in messages(client)]
    assert (int(meta["messages"]["N"]), int(meta["bytes"]["N"])) == (3, sum(sizes))
    assert int(meta["next_seq"]["N"]) == 2  # two turns written
    assert int(meta[TTL_ATTRIBUTE]["N"]) == NOW + 3600


def test_a_rewound_step_is_taken_from_the_buffer_without_a_call(client, calls):
    session = DynamoSession(store(client).conversation("E", "s1", "alice"))

    async def run():
        await session.get_items()
        await session.add_items([user("q"), tool_call("c1")])
        popped = await session.pop_item()  # the SDK rewinds a step it will retry
        await session.add_items([tool_call("c2"), tool_output("c2")])
        await session.flush()
        return popped

    assert asyncio.run(run()) == tool_call("c1")
    assert calls == ["Query", "BatchWriteItem"]
    assert store(client).conversation("E", "s1", "alice").items() == [
        user("q"),
        tool_call("c2"),
        tool_output("c2"),
    ]


def test_two_turns_at_once_on_one_session_keep_both(client):
    # Given two requests on one session that both read before either writes
    first = store(client).conversation("E", "s1", "alice")
    second = store(client).conversation("E", "s1", "alice")
    assert first.items() == second.items() == []

    first.append([user("first"), assistant("one")])
    second.append([user("second"), assistant("two")])

    # Then neither overwrote the other, and each turn stays whole
    kept = store(client).conversation("E", "s1", "alice").items()
    assert sorted(kept, key=json.dumps) == sorted(
        [user("first"), assistant("one"), user("second"), assistant("two")], key=json.dumps
    )
    assert kept.index(assistant("one")) == kept.index(user("first")) + 1
    assert kept.index(assistant("two")) == kept.index(user("second")) + 1


def test_history_written_one_message_per_number_continues_in_order(client):
    # Given a session written before issue 12 (sort keys item#<message number>, next_seq = last)
    conversation = store(client).conversation("E", "s1", "alice")
    key = {PARTITION_KEY: {"S": conversation.pk}}
    old = [user("old q"), assistant("old a")]
    for seq, item in enumerate(old, start=9):
        body = json.dumps(item)
        client.put_item(
            TableName=TABLE,
            Item={**key, SORT_KEY: {"S": f"item#{seq:012d}"}, "body": {"S": body}},
        )
    client.put_item(
        TableName=TABLE, Item={**key, SORT_KEY: {"S": "#meta"}, "next_seq": {"N": "10"}}
    )

    conversation.append([user("new q")])

    assert store(client).conversation("E", "s1", "alice").items() == [*old, user("new q")]


def test_pattern_e_keeps_the_request_when_the_model_fails(client, service):
    conversation = store(client).conversation("E", "s1", "alice")
    model = scripted(ModelStep.raise_error(model_unreachable()))

    with pytest.raises(openai.APIError):
        run_sync(
            pattern_e_turn(chat_turn("Book tomorrow at 3pm"), service, conversation, model=model)
        )

    kept = store(client).conversation("E", "s1", "alice").items()
    assert [(i.get("role"), i.get("content")) for i in kept] == [("user", "Book tomorrow at 3pm")]


def test_pattern_e_writes_the_steps_done_before_a_failure(client, service):
    conversation = store(client).conversation("E", "s1", "alice")
    model = scripted(call("book_slot", slot_id=SLOT), ModelStep.raise_error(model_unreachable()))

    outcome = run_sync(
        pattern_e_turn(chat_turn("Book tomorrow at 3pm"), service, conversation, model=model)
    )

    # The booking is reported, and the session holds the request and the completed tool step
    assert outcome.booking is not None and outcome.booking.slot_id == SLOT
    kept = store(client).conversation("E", "s1", "alice").items()
    assert [i.get("type", "message") for i in kept][:3] == [
        "message",
        "function_call",
        "function_call_output",
    ]
    assert kept[0]["content"] == "Book tomorrow at 3pm"


def test_pattern_d_keeps_the_request_when_the_model_fails(client, service, calls):
    conversation = store(client).conversation("D", "s1", "alice")
    with pytest.raises(openai.APIError):
        pattern_d_turn(
            chat_turn("Book tomorrow at 3pm", pattern="D"),
            service,
            ScriptedOpenAI(model_unreachable()),
            "m",
            conversation,
        )

    assert calls == ["Query", "BatchWriteItem"]
    assert store(client).conversation("D", "s1", "alice").items() == [user("Book tomorrow at 3pm")]


def test_pattern_d_turn_is_one_query_and_one_batch_write(client, service, calls):
    model = ScriptedOpenAI([chat_call("book_slot", slot_id=SLOT)], "Booked.")
    conversation = store(client).conversation("D", "s1", "alice")

    outcome = pattern_d_turn(
        chat_turn("Book tomorrow at 3pm", pattern="D"), service, model, "m", conversation
    )

    assert outcome.booking is not None
    assert calls == ["Query", "BatchWriteItem"]
    kept = store(client).conversation("D", "s1", "alice").items()
    assert [i["role"] for i in kept] == ["user", "assistant", "tool", "assistant"]
