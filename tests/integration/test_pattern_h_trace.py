"""Pattern H's trace on both managed engines (simulated locally): the action-group or gateway
calls the engine's own stream reports become `tool_call` events marked simulated, with the
arguments as the agent's model sent them; the Bedrock Agent's trace also times its model calls.
"""

from __future__ import annotations

import json

from tests.integration import test_pattern_h_handler as pattern_h
from tests.utils import chat_event, lambda_context, response_json

__all__ = ["chat_env", "offline_model"]  # fixtures used by name below
chat_env, offline_model = pattern_h.chat_env, pattern_h.offline_model
engine, handler = pattern_h.engine, pattern_h.handler


def traced_chat(module, message: str) -> dict:
    event = chat_event({"message": message}, caller_arn=pattern_h.ALICE)
    event["headers"]["x-patterns-trace"] = "1"
    response = module.handler(event, lambda_context())
    assert response["statusCode"] == 200, response["body"]
    return response_json(response)


def test_each_tool_the_managed_agent_ran_is_a_simulated_tool_call(handler, engine, dynamodb):
    body = traced_chat(handler, "Book tomorrow at 3pm")

    tools = [e for e in body["trace"] if e["kind"] == "tool_call"]
    assert [e["name"] for e in tools] == body["usage"]["tool_calls"], body
    assert all(e["detail"]["simulated"] is True for e in body["trace"])
    booked = next(e for e in tools if e["name"] == "book_slot")
    # the arguments as the model sent them: here a day and time (book_slot takes either)
    sent = json.dumps(booked["detail"]["arguments"])
    assert body["booking"]["date"] in sent and body["booking"]["time"] in sent
    assert booked["detail"]["outcome"] == "ok"
    assert [e["at_ms"] for e in body["trace"]] == sorted(e["at_ms"] for e in body["trace"])
    models = [e for e in body["trace"] if e["kind"] == "model_call"]
    if engine == "bedrock_agent":  # its trace reports each model call, timed
        assert len(models) == body["usage"]["llm_calls"]
        assert sum(e["detail"]["input_tokens"] for e in models) == body["usage"]["input_tokens"]
        # a tool call happens between model calls, on the trace's own clock
        assert models[0]["at_ms"] + models[0]["duration_ms"] <= tools[0]["at_ms"]
    else:  # the harness stream reports no model calls, only their total usage
        assert models == []
