"""OpenAI request bodies in, chat.completion / response objects out."""

from __future__ import annotations

import json

import pytest

from local.offline_model.policy import CallTool, Message, Reply, ToolCall, ToolResult
from local.offline_model.wire import (
    UnsupportedRequest,
    chat_completion,
    conversation_from_chat,
    conversation_from_responses,
    count_tokens,
    response_object,
)

TOOL_SCHEMA = {"type": "object", "properties": {"date": {"type": "string"}}, "required": ["date"]}


def test_chat_messages_become_messages_tool_calls_and_results():
    body = {
        "messages": [
            {"role": "system", "content": "Today is 2026-11-24 (Tuesday)."},
            {"role": "user", "content": [{"type": "text", "text": "Free tomorrow?"}]},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "check", "arguments": '{"date": "2026-11-25"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": '{"free_slots": []}'},
        ],
        "tools": [{"type": "function", "function": {"name": "check", "parameters": TOOL_SCHEMA}}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "X", "schema": {}}},
    }

    conversation = conversation_from_chat(body)

    assert conversation.items == [
        Message("system", "Today is 2026-11-24 (Tuesday)."),
        Message("user", "Free tomorrow?"),
        ToolCall("call_1", "check", {"date": "2026-11-25"}),
        ToolResult("call_1", '{"free_slots": []}'),
    ]
    assert [tool.name for tool in conversation.tools] == ["check"]
    assert conversation.output_schema == {"type": "object", "properties": {}}


def test_responses_input_items_become_the_same_conversation():
    body = {
        "instructions": "Today is 2026-11-24 (Tuesday).",
        "input": [
            {"role": "user", "content": "Free tomorrow?"},
            {"type": "reasoning", "id": "rs_1", "summary": []},
            {"type": "function_call", "call_id": "c1", "name": "check", "arguments": "{}"},
            {
                "type": "function_call_output",
                "call_id": "c1",
                "output": [{"type": "input_text", "text": "done"}],
            },
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "ok", "annotations": []}],
            },
        ],
        "tools": [{"type": "function", "name": "check", "parameters": TOOL_SCHEMA}],
        "text": {"format": {"type": "json_schema", "name": "final_output", "schema": TOOL_SCHEMA}},
    }

    conversation = conversation_from_responses(body)

    assert conversation.items == [
        Message("system", "Today is 2026-11-24 (Tuesday)."),
        Message("user", "Free tomorrow?"),
        ToolCall("c1", "check", {}),
        ToolResult("c1", "done"),
        Message("assistant", "ok"),
    ]
    assert conversation.output_schema == TOOL_SCHEMA


def test_a_nested_handoff_history_is_unfolded_into_the_turns_it_summarises():
    call = {"type": "function_call", "call_id": "c1", "name": "transfer_to_b", "arguments": "{}"}
    summary = "\n".join(
        [
            "For context, here is the conversation so far between the user and the previous agent:",
            "<CONVERSATION HISTORY>",
            "1. user: Book tomorrow at 3pm",
            f"2. {json.dumps(call)}",
            "</CONVERSATION HISTORY>",
        ]
    )

    conversation = conversation_from_responses(
        {"input": [{"role": "assistant", "content": summary}]}
    )

    assert conversation.items == [
        Message("user", "Book tomorrow at 3pm"),
        ToolCall("c1", "transfer_to_b", {}),
    ]


def test_tool_choice_none_hides_the_tools_and_a_named_choice_keeps_only_that_one():
    tools = [
        {"type": "function", "name": "a", "parameters": {}},
        {"type": "function", "name": "b", "parameters": {}},
    ]
    named = {"type": "function", "name": "b"}

    assert (
        conversation_from_responses({"input": "x", "tools": tools, "tool_choice": "none"}).tools
        == []
    )
    assert [
        t.name
        for t in conversation_from_responses(
            {"input": "x", "tools": tools, "tool_choice": named}
        ).tools
    ] == ["b"]


@pytest.mark.parametrize(
    ("parse", "body"),
    [
        (conversation_from_chat, {"messages": [], "stream": True}),
        (conversation_from_chat, {"messages": [], "n": 2}),
        (conversation_from_chat, {"messages": [], "tools": [{"type": "custom", "name": "x"}]}),
        (conversation_from_responses, {"input": "x", "stream": True}),
        (conversation_from_responses, {"input": "x", "previous_response_id": "resp_1"}),
        (conversation_from_responses, {"input": "x", "tools": [{"type": "web_search"}]}),
        (conversation_from_responses, {"input": [{"type": "item_reference", "id": "msg_1"}]}),
        (conversation_from_responses, {"input": "x", "text": {"format": {"type": "grammar"}}}),
    ],
)
def test_unsupported_features_are_refused(parse, body):
    with pytest.raises(UnsupportedRequest):
        parse(body)


def test_a_tool_call_becomes_a_chat_completion_with_tool_calls():
    completion = chat_completion({"messages": []}, CallTool("check", {"date": "2026-11-25"}))

    choice = completion["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    (call,) = choice["message"]["tool_calls"]
    assert call["id"].startswith("call_") and call["type"] == "function"
    assert json.loads(call["function"]["arguments"]) == {"date": "2026-11-25"}
    assert completion["model"] == "offline-stand-in"


def test_a_reply_becomes_a_response_message_with_measured_usage():
    body = {"input": "Free tomorrow?", "instructions": "Be brief."}

    response = response_object(body, Reply("Free on Wed 25 Nov: 15:00 (Court A)."))

    (message,) = response["output"]
    assert message["type"] == "message" and message["role"] == "assistant"
    assert message["content"][0] == {
        "type": "output_text",
        "text": "Free on Wed 25 Nov: 15:00 (Court A).",
        "annotations": [],
        "logprobs": [],
    }
    usage = response["usage"]
    assert usage["output_tokens"] == count_tokens("Free on Wed 25 Nov: 15:00 (Court A).") == 14
    assert usage["input_tokens"] == count_tokens(
        {"input": "Free tomorrow?", "instructions": "Be brief.", "tools": None, "text": None}
    )
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]


def test_token_counts_are_words_and_punctuation_marks():
    assert count_tokens("Book Court B, please!") == 6
    assert count_tokens({"a": 1}) == count_tokens('{"a": 1}') == 7
