"""The two managed engines pattern H can run on, behind one small interface.

* `BedrockAgentEngine` calls `bedrock-agent-runtime:InvokeAgent` on the deployed agent alias,
  with the caller and the turn id (the write budget's key) in `sessionAttributes` and today's
  date in `promptSessionAttributes`, and reads the streamed completion plus its trace (tool
  calls, action-group results, and the model usage Bedrock reports for each of its own model
  calls).
* `AgentCoreHarnessEngine` calls `bedrock-agentcore:InvokeHarness` on the harness endpoint,
  with today's date in the system prompt and the caller and the turn id in headers on the
  harness's calls to the gateway, and reads the harness's event stream (tool uses, tool
  results, text, usage).

Both return an `AgentRun`: what the agent said and what the tools returned — never a booking
parsed from the model's words.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pattern_core.contract import trace as trace_events
from pattern_h.actions import (
    GATEWAY_TOOL_DELIMITER,
    TURN_ATTRIBUTE,
    TURN_HEADER,
    USER_ATTRIBUTE,
    USER_HEADER,
)
from pattern_h.instruction import INSTRUCTION


@dataclass(frozen=True)
class AgentRequest:
    message: str
    user_id: str  # the verified caller; goes where only the invoker can put it
    session_id: str  # already bound to the caller (see orchestration.agent_session_id)
    today: str  # ISO date, for the session attributes
    today_line: str  # "Today is 2026-11-24 (Tuesday), time zone UTC." for the model
    turn_id: str  # this /chat request: the action Lambda counts its writes under it


@dataclass
class ToolCall:
    name: str
    output: dict | None = None  # the tool's JSON result as the engine reported it


@dataclass
class AgentRun:
    reply: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    llm_calls: int | None = None  # None: the engine did not report it
    input_tokens: int | None = None
    output_tokens: int | None = None


def _json_or_none(text: Any) -> dict | None:
    if isinstance(text, dict):
        return text
    try:
        value = json.loads(text) if isinstance(text, str | bytes) else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class BedrockAgentEngine:
    label = "Amazon Bedrock Agent"

    def __init__(self, client, agent_id: str, alias_id: str) -> None:
        self.client, self.agent_id, self.alias_id = client, agent_id, alias_id

    def run(self, request: AgentRequest) -> AgentRun:
        response = self.client.invoke_agent(
            agentId=self.agent_id,
            agentAliasId=self.alias_id,
            sessionId=request.session_id,
            inputText=request.message,
            enableTrace=True,
            sessionState={
                "sessionAttributes": {
                    USER_ATTRIBUTE: request.user_id,
                    TURN_ATTRIBUTE: request.turn_id,
                    "today": request.today,
                },
                "promptSessionAttributes": {"today": request.today_line},
            },
        )
        return read_agent_stream(response["completion"])


def read_agent_stream(events: Iterable[dict]) -> AgentRun:
    """Collect InvokeAgent's stream: chunks are the reply; the orchestration trace names each
    action-group call and carries its output and each model call's usage. A traced turn gets
    each model call and action-group call as an event, timed by the trace's own clock."""
    chunks: list[str] = []
    calls: dict[str, ToolCall] = {}
    order: list[ToolCall] = []
    started: dict[str, tuple[float, dict]] = {}  # traceId -> (when, the event's detail)
    llm_calls = input_tokens = output_tokens = 0
    for event in events:
        if "chunk" in event:
            chunks.append(event["chunk"].get("bytes", b"").decode("utf-8"))
            continue
        part = event.get("trace", {})
        trace = part.get("trace", {})
        at = _epoch(part.get("eventTime"))
        marks = {"simulated": True} if part.get("simulated") else {}
        for step in trace.values():  # orchestrationTrace, preProcessingTrace, …
            if not isinstance(step, dict):
                continue
            invocation = step.get("invocationInput", {})
            action = invocation.get("actionGroupInvocationInput")
            if action:
                call = ToolCall(_operation_name(action))
                calls[invocation.get("traceId", str(len(order)))] = call
                order.append(call)
                detail = {"arguments": _arguments(action), **marks}
                started[invocation.get("traceId", "")] = (at, detail)
            observation = step.get("observation", {})
            output = observation.get("actionGroupInvocationOutput")
            if output is not None:
                call = calls.get(observation.get("traceId", "")) or (order[-1] if order else None)
                if call is not None:
                    call.output = _json_or_none(output.get("text"))
                    began, detail = started.get(observation.get("traceId", ""), (at, {}))
                    detail = {**detail, "outcome": trace_events.tool_outcome(call.output)}
                    _add_timed("tool_call", call.name, output.get("metadata"), began, at, detail)
            model_input = step.get("modelInvocationInput")
            if model_input is not None:
                started[model_input.get("traceId", "")] = (at, {})
            model_output = step.get("modelInvocationOutput")
            if model_output is not None:
                metadata = model_output.get("metadata", {})
                usage = metadata.get("usage")
                llm_calls += 1
                if usage:
                    input_tokens += usage.get("inputTokens", 0)
                    output_tokens += usage.get("outputTokens", 0)
                began, _ = started.get(model_output.get("traceId", ""), (at, {}))
                detail = {
                    "input_tokens": (usage or {}).get("inputTokens"),
                    "output_tokens": (usage or {}).get("outputTokens"),
                    **marks,
                }
                _add_timed("model_call", "agent model", metadata, began, at, detail)
    observed = llm_calls > 0
    return AgentRun(
        reply="".join(chunks).strip(),
        tool_calls=order,
        llm_calls=llm_calls if observed else None,
        input_tokens=input_tokens if observed else None,
        output_tokens=output_tokens if observed else None,
    )


def _epoch(when: Any) -> float:
    """A trace timestamp (boto3 gives datetimes) in epoch seconds; now if there is none."""
    if isinstance(when, dt.datetime):
        return when.timestamp()
    return time.time()


def _add_timed(
    kind: str, name: str, metadata: dict | None, began: float, seen: float, detail: dict
) -> None:
    """One event of a traced turn: from the trace's own start time and duration where it
    reports them (`metadata`), else from when the trace reported the call and its result."""
    metadata = metadata or {}
    start = _epoch(metadata["startTime"]) if metadata.get("startTime") else began
    duration_ms = metadata.get("totalTimeMs")
    if duration_ms is None:
        end = _epoch(metadata["endTime"]) if metadata.get("endTime") else seen
        duration_ms = (end - start) * 1000
    trace_events.add_at(kind, name, started_epoch=start, duration_ms=duration_ms, detail=detail)


def _arguments(action: dict) -> dict:
    """An action-group call's arguments as the agent's model filled them (name -> value)."""
    body = action.get("requestBody", {}).get("content", {}).get("application/json", [])
    properties = body.get("properties", []) if isinstance(body, dict) else body
    return {
        item.get("name"): item.get("value")
        for item in [*(action.get("parameters") or []), *(properties or [])]
        if isinstance(item, dict)
    }


def _operation_name(action: dict) -> str:
    """The operation an action-group call ran: its path names the tool (`/book_slot`)."""
    path = action.get("apiPath") or action.get("function") or "unknown"
    return path.strip("/").split("/", 1)[0]


class AgentCoreHarnessEngine:
    label = "Amazon Bedrock AgentCore harness"

    def __init__(self, client, harness_arn: str, endpoint: str, gateway_url: str) -> None:
        self.client, self.harness_arn = client, harness_arn
        self.endpoint, self.gateway_url = endpoint, gateway_url

    def run(self, request: AgentRequest) -> AgentRun:
        response = self.client.invoke_harness(
            harnessArn=self.harness_arn,
            qualifier=self.endpoint,
            runtimeSessionId=request.session_id,
            # No `runtimeUserId`: it needs InvokeAgentRuntimeForUser and reaches only the
            # runtime container, not the gateway's tool calls (see `gateway_tool`).
            messages=[{"role": "user", "content": [{"text": request.message}]}],
            systemPrompt=[{"text": f"{INSTRUCTION}\n\n{request.today_line}"}],
            tools=[self.gateway_tool(request.user_id, request.turn_id)],
        )
        return read_harness_stream(response["stream"])

    def gateway_tool(self, user_id: str, turn_id: str) -> dict:
        """The booking gateway as this turn's only tool. The identity and turn headers are set
        here, by the invoker, on every call the harness makes to the gateway (SigV4-signed with
        the harness role: nobody else may call the gateway); the gateway target propagates them
        to the action Lambda. The model never sees or fills them."""
        return {
            "type": "remote_mcp",
            "name": "booking",
            "config": {
                "remoteMcp": {
                    "url": self.gateway_url,
                    "headers": {USER_HEADER: user_id, TURN_HEADER: turn_id},
                    "outboundAuth": {"awsIam": {"service": "bedrock-agentcore"}},
                }
            },
        }


def read_harness_stream(events: Iterable[dict]) -> AgentRun:
    """Collect InvokeHarness's stream: tool-use blocks name the calls, tool-result blocks carry
    their outputs, the last assistant message's text is the reply, `metadata` the usage. The
    stream carries no timestamps: a traced turn gets each tool call timed from when its use
    and its result arrived."""
    messages: list[list[str]] = []
    blocks: dict[int, dict] = {}
    calls: dict[str, ToolCall] = {}
    order: list[ToolCall] = []
    arrived: dict[str, tuple[float, dict]] = {}  # toolUseId -> (when, the event's detail)
    input_tokens = output_tokens = None
    for event in events:
        if "messageStart" in event:
            if event["messageStart"].get("role") == "assistant":
                messages.append([])
            blocks = {}
        elif "contentBlockStart" in event:
            start = event["contentBlockStart"]
            index, begin = start.get("contentBlockIndex", 0), start.get("start", {})
            if "toolUse" in begin:
                call = ToolCall(_tool_name(begin["toolUse"].get("name", "unknown")))
                calls[begin["toolUse"].get("toolUseId", "")] = call
                order.append(call)
                detail = {"timing": "as streamed"}
                if begin["toolUse"].get("simulated"):
                    detail["simulated"] = True
                arrived[begin["toolUse"].get("toolUseId", "")] = (time.time(), detail)
                blocks[index] = {"kind": "toolUse", "id": begin["toolUse"].get("toolUseId")}
            elif "toolResult" in begin:
                blocks[index] = {"kind": "toolResult", "id": begin["toolResult"].get("toolUseId")}
                blocks[index]["parts"] = []
        elif "contentBlockDelta" in event:
            delta_event = event["contentBlockDelta"]
            index, delta = delta_event.get("contentBlockIndex", 0), delta_event.get("delta", {})
            if "text" in delta and messages:
                messages[-1].append(delta["text"])
            block = blocks.get(index)
            if "toolUse" in delta and block and block.get("id") in arrived:
                detail = arrived[block["id"]][1]  # the arguments, as the model wrote them
                detail["arguments"] = detail.get("arguments", "") + str(
                    delta["toolUse"].get("input", "")
                )
            for part in delta.get("toolResult", []) or []:
                block = blocks.get(index)
                if block is not None and block.get("kind") == "toolResult":
                    block["parts"].append(part)
        elif "contentBlockStop" in event:
            block = blocks.pop(event["contentBlockStop"].get("contentBlockIndex", 0), None)
            if block and block.get("kind") == "toolResult" and block["id"] in calls:
                call = calls[block["id"]]
                call.output = _tool_result(block["parts"])
                began, detail = arrived.get(block["id"], (time.time(), {}))
                detail = {**detail, "outcome": trace_events.tool_outcome(call.output)}
                trace_events.add_at(
                    "tool_call",
                    call.name,
                    started_epoch=began,
                    duration_ms=(time.time() - began) * 1000,
                    detail=detail,
                )
        elif "metadata" in event:
            usage = event["metadata"].get("usage", {})
            input_tokens = (input_tokens or 0) + usage.get("inputTokens", 0)
            output_tokens = (output_tokens or 0) + usage.get("outputTokens", 0)
    replies = ["".join(parts).strip() for parts in messages]
    reply = next((text for text in reversed(replies) if text), "")
    return AgentRun(reply, order, None, input_tokens, output_tokens)


def _tool_name(name: str) -> str:
    """Gateway tools are named `{target}___{tool}`; usage reports the contract's name."""
    return name.split(GATEWAY_TOOL_DELIMITER, 1)[-1]


def _tool_result(parts: list[dict]) -> dict | None:
    for part in parts:
        if "json" in part:
            found = _json_or_none(part["json"])
        else:
            found = _json_or_none("".join(p.get("text", "") for p in parts))
        if found is not None:
            return found
    return None
