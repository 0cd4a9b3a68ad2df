"""OpenAI wire formats for the offline stand-in model: requests in, policy decisions out.

Chat Completions and Responses request bodies become a `policy.Conversation`; a decision
becomes a `chat.completion` or a `response` object shaped as the official `openai` client and
the Agents SDK parse them. Token counts are real counts of the stand-in's own tokenisation
(`count_tokens`: words and punctuation marks of the serialised input or output), not OpenAI's.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

from .policy import CallTool, Conversation, Decision, Item, Message, ToolCall, ToolResult
from .toolbox import ToolSpec

MODEL_NAME = "offline-stand-in"
_TOKEN = re.compile(r"\w+|[^\w\s]")
# The Agents SDK's nested handoff history: one assistant message holding a numbered transcript.
_HISTORY_BLOCK = re.compile(r"<CONVERSATION HISTORY>\n(.*?)\n</CONVERSATION HISTORY>", re.DOTALL)
_HISTORY_LINE = re.compile(r"^\d+\. (?:(\{.*\})|(\w+)(?: \([^)]*\))?: ?(.*))$")


class UnsupportedRequest(ValueError):
    """A request the stand-in cannot serve; answered with HTTP 400 and an OpenAI error body."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


def count_tokens(value: Any) -> int:
    """Words and punctuation marks in `value` (serialised as sorted JSON unless it is text)."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return len(_TOKEN.findall(text))


def conversation_from_chat(body: Mapping[str, Any]) -> Conversation:
    _reject_unsupported(body, ("stream", "n"))
    items: list[Item] = []
    for message in _list(body.get("messages"), "messages"):
        role = message.get("role")
        if role == "tool":
            items.append(
                ToolResult(str(message.get("tool_call_id")), _text(message.get("content")))
            )
            continue
        if message.get("content") is not None:
            items.extend(_message_items(str(role), _text(message.get("content"))))
        for call in message.get("tool_calls") or ():
            function = call.get("function") or {}
            items.append(ToolCall(call.get("id", ""), function.get("name", ""), _args(function)))
    tools = [_chat_tool(tool) for tool in body.get("tools") or ()]
    schema, json_output = _format(body.get("response_format"), "response_format")
    return Conversation(items, _chosen(tools, body.get("tool_choice")), schema, json_output)


def conversation_from_responses(body: Mapping[str, Any]) -> Conversation:
    _reject_unsupported(body, ("stream", "background", "previous_response_id", "conversation"))
    items: list[Item] = []
    if isinstance(body.get("instructions"), str):
        items.append(Message("system", body["instructions"]))
    raw_input = body.get("input")
    if isinstance(raw_input, str):
        items.append(Message("user", raw_input))
    else:
        for raw_item in _list(raw_input or [], "input"):
            items.extend(_responses_item(raw_item))
    tools = [_responses_tool(tool) for tool in body.get("tools") or ()]
    text_config = body.get("text") if isinstance(body.get("text"), Mapping) else {}
    schema, json_output = _format(text_config.get("format"), "text.format")
    return Conversation(items, _chosen(tools, body.get("tool_choice")), schema, json_output)


def chat_completion(body: Mapping[str, Any], decision: Decision) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
    if isinstance(decision, CallTool):
        arguments = json.dumps(decision.arguments)
        message["tool_calls"] = [
            {
                "id": _new_id("call_"),
                "type": "function",
                "function": {"name": decision.name, "arguments": arguments},
            }
        ]
        finish_reason, produced = "tool_calls", f"{decision.name} {arguments}"
    else:
        message["content"] = decision.text
        finish_reason, produced = "stop", decision.text
    prompt = {k: body.get(k) for k in ("messages", "tools", "response_format")}
    prompt_tokens, completion_tokens = count_tokens(prompt), count_tokens(produced)
    return {
        "id": _new_id("chatcmpl-"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_NAME,
        "system_fingerprint": MODEL_NAME,
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        },
    }


def response_object(body: Mapping[str, Any], decision: Decision) -> dict[str, Any]:
    if isinstance(decision, CallTool):
        arguments = json.dumps(decision.arguments)
        output: dict[str, Any] = {
            "type": "function_call",
            "id": _new_id("fc_"),
            "call_id": _new_id("call_"),
            "name": decision.name,
            "arguments": arguments,
            "status": "completed",
        }
        produced = f"{decision.name} {arguments}"
    else:
        output = {
            "type": "message",
            "id": _new_id("msg_"),
            "role": "assistant",
            "status": "completed",
            "content": [
                {"type": "output_text", "text": decision.text, "annotations": [], "logprobs": []}
            ],
        }
        produced = decision.text
    prompt = {k: body.get(k) for k in ("instructions", "input", "tools", "text")}
    input_tokens, output_tokens = count_tokens(prompt), count_tokens(produced)
    now = int(time.time())
    return {
        "id": _new_id("resp_"),
        "object": "response",
        "created_at": now,
        "completed_at": now,
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "model": MODEL_NAME,
        "output": [output],
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "store": False,
        "temperature": body.get("temperature", 1.0),
        "text": body.get("text") or {"format": {"type": "text"}},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [],
        "top_p": body.get("top_p", 1.0),
        "truncation": "disabled",
        "metadata": body.get("metadata") or {},
        "usage": {
            "input_tokens": input_tokens,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": output_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": input_tokens + output_tokens,
        },
    }


def models_list() -> dict[str, Any]:
    return {"object": "list", "data": [model_object()]}


def model_object() -> dict[str, Any]:
    return {"id": MODEL_NAME, "object": "model", "created": 0, "owned_by": "patterns-local"}


def _responses_item(item: Mapping[str, Any]) -> list[Item]:
    kind = item.get("type", "message" if "role" in item else None)
    if kind == "message":
        return _message_items(str(item.get("role")), _text(item.get("content")))
    if kind == "function_call":
        return [ToolCall(str(item.get("call_id")), str(item.get("name")), _args(item))]
    if kind == "function_call_output":
        return [ToolResult(str(item.get("call_id")), _text(item.get("output")))]
    if kind == "item_reference":
        raise UnsupportedRequest("The offline stand-in stores no items to reference.", "input")
    # Reasoning and other bookkeeping items carry nothing the policy reads.
    return []


def _message_items(role: str, text: str) -> list[Item]:
    """A message, or - for a nested handoff history - the transcript it summarises."""
    block = _HISTORY_BLOCK.search(text) if role == "assistant" else None
    if block is None:
        return [Message(role, text)]
    items: list[Item] = []
    for line in block.group(1).splitlines():
        match = _HISTORY_LINE.match(line)
        if match is None:
            continue
        if match.group(1):
            try:
                items.extend(_responses_item(json.loads(match.group(1))))
            except (ValueError, AttributeError):
                continue
        else:
            items.append(Message(match.group(2), match.group(3)))
    return items


def _chat_tool(tool: Mapping[str, Any]) -> ToolSpec:
    if tool.get("type") != "function":
        raise UnsupportedRequest("The offline stand-in supports only function tools.", "tools")
    function = tool.get("function") or {}
    return ToolSpec(
        function.get("name", ""),
        function.get("description") or "",
        function.get("parameters") or {},
    )


def _responses_tool(tool: Mapping[str, Any]) -> ToolSpec:
    if tool.get("type") != "function":
        raise UnsupportedRequest("The offline stand-in supports only function tools.", "tools")
    return ToolSpec(
        tool.get("name", ""), tool.get("description") or "", tool.get("parameters") or {}
    )


def _chosen(tools: list[ToolSpec], choice: Any) -> list[ToolSpec]:
    """The tools the model may call under `tool_choice` ("none" hides them; a name picks one)."""
    if choice == "none":
        return []
    if isinstance(choice, Mapping) and choice.get("type") == "function":
        name = choice.get("name") or (choice.get("function") or {}).get("name")
        return [tool for tool in tools if tool.name == name]
    return tools


def _format(spec: Any, param: str) -> tuple[Mapping[str, Any] | None, bool]:
    """(JSON schema, plain-JSON flag) requested for the final answer."""
    if not isinstance(spec, Mapping) or spec.get("type", "text") == "text":
        return None, False
    if spec["type"] == "json_object":
        return None, True
    if spec["type"] == "json_schema":
        # Chat Completions nests the schema one level deeper than Responses.
        holder = spec.get("json_schema") if isinstance(spec.get("json_schema"), Mapping) else spec
        return holder.get("schema") or {"type": "object", "properties": {}}, False
    raise UnsupportedRequest(f"Unsupported format type {spec['type']!r}.", param)


def _reject_unsupported(body: Mapping[str, Any], params: tuple[str, ...]) -> None:
    for param in params:
        value = body.get(param)
        if param == "n" and value in (None, 1):
            continue
        if value not in (None, False):
            raise UnsupportedRequest(f"The offline stand-in does not support '{param}'.", param)


def _text(content: Any) -> str:
    """Text of a message content: a string, or the text of its text parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, Mapping)]
        return "\n".join(part for part in parts if isinstance(part, str))
    return str(content)


def _args(holder: Mapping[str, Any]) -> dict[str, Any]:
    try:
        parsed = json.loads(holder.get("arguments") or "{}")
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _list(value: Any, param: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise UnsupportedRequest(f"'{param}' must be a list of objects.", param)
    return value


def _new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:24]}"
