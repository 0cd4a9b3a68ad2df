"""A SIMULATION of Amazon Bedrock's managed agent loop, for running pattern H locally.

Not AWS, and not Bedrock's orchestration prompt or planner: a plain tool loop that reads what
the deployed agent is given — the same instruction (`pattern_h.instruction`) and the same
OpenAPI schema, built from the tool contract (`pattern_h.schema`) — asks the model (the
offline stand-in, or OpenAI when OPENAI_API_KEY is set) which operation to call, and calls
the *real* action Lambda with the event shapes AWS sends it:

* `bedrock-agent-runtime:InvokeAgent` → Bedrock action-group events (`apiPath`, `httpMethod`,
  `parameters`, `requestBody`, the invoker's `sessionAttributes`); answers with an
  InvokeAgent-shaped stream: `trace` events (model usage, action-group input and output) and
  `chunk`s of the reply;
* `bedrock-agentcore:InvokeHarness` (`H_ENGINE=agentcore`) → AgentCore Gateway tool calls
  (arguments as the event, tool name and the allow-listed propagated header in the client
  context); answers with the harness's stream (tool use, tool result, text, metadata).

Conversation memory is kept per agent session under `.patterns/`, as Bedrock keeps it per
session. Every run says it is simulated.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import openai

from local.aws_overrides import ServiceError
from local.events import LOCAL_ACCOUNT, LocalLambdaContext
from local.paths import state_dir
from settings import Settings, env_key
from stacks import timeouts

if TYPE_CHECKING:
    from local.runtime import LocalRuntime

SIMULATION_LABEL = (
    "simulated Bedrock agent loop: a local stand-in for Amazon Bedrock's managed agent, not AWS"
)
ACTIONS_FUNCTION = "pattern-h-actions"
ACTIONS_HANDLER = "pattern_h.actions:handler"
ACTION_GROUP = "booking"
GATEWAY_TARGET = "booking"
MAX_MODEL_CALLS = 8  # a bound on the simulated loop, as Bedrock bounds its own

LOCAL_ENV = Settings.environment(
    agent_id="LOCALAGENT",
    agent_alias_id="LOCALALIAS",
    harness_arn=f"arn:aws:bedrock-agentcore:us-east-1:{LOCAL_ACCOUNT}:harness/patterns_h-LOCALSIM01",
    harness_endpoint="DEFAULT",
    gateway_url="https://patterns-h-local.gateway.bedrock-agentcore.invalid/mcp",
)

ToolRunner = Callable[[str, dict], dict]


def setup(runtime: LocalRuntime) -> None:
    """Play Bedrock for pattern H on this runtime (the `local_setup` of its PatternSpec)."""
    for name, value in LOCAL_ENV.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault(env_key("h_engine"), "bedrock_agent")
    simulation = SimulatedManagedAgent(runtime)
    runtime.register_function(
        ACTIONS_FUNCTION, ACTIONS_HANDLER, timeout_seconds=timeouts.H_ACTION_FUNCTION_SECONDS
    )
    runtime.aws.override("bedrock-agent-runtime", "InvokeAgent", simulation.invoke_agent)
    runtime.aws.override("bedrock-agentcore", "InvokeHarness", simulation.invoke_harness)


class SimulatedManagedAgent:
    def __init__(self, runtime: LocalRuntime, sessions: Path | None = None) -> None:
        from booking.schedule import Schedule
        from pattern_h.instruction import instruction
        from pattern_h.schema import bedrock_openapi_schema, operations

        self.runtime = runtime
        # As deployed, with this machine's booking configuration (COURTS, SLOT_START_TIMES, …)
        self.instruction = instruction(Schedule.from_env())
        self.schema = bedrock_openapi_schema()
        self.routes = {
            op["operationId"]: (path, method.upper())
            for path, methods in self.schema["paths"].items()
            for method, op in methods.items()
        }
        self.tools = [_chat_tool(op) for op in operations()]
        self.sessions = sessions or state_dir() / "bedrock-sessions"

    # -- InvokeAgent -------------------------------------------------------------------------
    def invoke_agent(self, params: dict) -> dict:
        session_id = params["sessionId"]
        state = params.get("sessionState") or {}
        attributes = dict(state.get("sessionAttributes") or {})
        prompt_attributes = dict(state.get("promptSessionAttributes") or {})
        header = {
            "agentId": params["agentId"],
            "agentAliasId": params["agentAliasId"],
            "agentVersion": "1",
            "sessionId": session_id,
        }
        events: list[dict] = []

        def trace(step: dict) -> None:
            if params.get("enableTrace"):
                events.append(
                    {
                        "trace": {
                            **header,
                            "eventTime": _now(),
                            "trace": {"orchestrationTrace": step},
                            # Not a Bedrock field: marks this trace as the simulation's, so a
                            # traced turn's events say they are simulated.
                            "simulated": True,
                        }
                    }
                )

        def run_action(name: str, arguments: dict) -> dict:
            trace_id = str(uuid.uuid4())
            event = self.action_group_event(name, arguments, params, attributes, prompt_attributes)
            trace(
                {
                    "invocationInput": {
                        "traceId": trace_id,
                        "invocationType": "ACTION_GROUP",
                        "actionGroupInvocationInput": {
                            "actionGroupName": ACTION_GROUP,
                            "apiPath": event["apiPath"],
                            "verb": event["httpMethod"].lower(),
                            "parameters": event["parameters"],
                            **(
                                {"requestBody": {"content": {"application/json": props}}}
                                if (props := _body_properties(event))
                                else {}
                            ),
                            "executionType": "LAMBDA",
                        },
                    }
                }
            )
            self.runtime.invocations[ACTIONS_FUNCTION] += 1
            with own_process(), timed() as metadata:
                response = self.runtime.invoke(ACTIONS_HANDLER, event, ACTIONS_FUNCTION)
            body = response["response"]["responseBody"]["application/json"]["body"]
            trace(
                {
                    "observation": {
                        "traceId": trace_id,
                        "type": "ACTION_GROUP",
                        "actionGroupInvocationOutput": {"text": body, "metadata": metadata},
                    }
                }
            )
            return json.loads(body)

        system = "\n\n".join([self.instruction, *prompt_attributes.values()])
        reply = self.loop(session_id, system, params["inputText"], run_action, trace)
        trace({"observation": {"type": "FINISH", "finalResponse": {"text": reply}}})
        events.append({"chunk": {"bytes": reply.encode("utf-8")}})
        return {
            "completion": iter(events),
            "contentType": "application/json",
            "sessionId": session_id,
        }

    def action_group_event(
        self, name: str, arguments: dict, params: dict, attributes: dict, prompt: dict
    ) -> dict:
        """The event Bedrock sends an action-group Lambda: values as strings, GET arguments as
        `parameters`, POST arguments as `requestBody` properties."""
        path, method = self.routes.get(name, (f"/{name}", "POST"))
        values = [
            {"name": key, "type": _type_of(value), "value": _as_text(value)}
            for key, value in (arguments or {}).items()
            if value is not None
        ]
        event: dict[str, Any] = {
            "messageVersion": "1.0",
            "agent": {
                "name": "tennis-court-booking",
                "id": params["agentId"],
                "alias": params["agentAliasId"],
                "version": "1",
            },
            "inputText": params["inputText"],
            "sessionId": params["sessionId"],
            "actionGroup": ACTION_GROUP,
            "apiPath": path,
            "httpMethod": method,
            "parameters": values if method == "GET" else [],
            "sessionAttributes": attributes,
            "promptSessionAttributes": prompt,
        }
        if method != "GET":
            event["requestBody"] = {"content": {"application/json": {"properties": values}}}
        return event

    # -- InvokeHarness -----------------------------------------------------------------------
    def invoke_harness(self, params: dict) -> dict:
        session_id = params["runtimeSessionId"]
        headers = _gateway_headers(params.get("tools") or [])
        events: list[dict] = [{"messageStart": {"role": "assistant"}}]
        usage = {"inputTokens": 0, "outputTokens": 0}

        def on_model(step: dict) -> None:
            metadata = step.get("modelInvocationOutput", {}).get("metadata", {})
            for key in usage:
                usage[key] += metadata.get("usage", {}).get(key, 0)

        def run_tool(name: str, arguments: dict) -> dict:
            tool_use_id = f"tooluse_{uuid.uuid4().hex[:20]}"
            index = len(events)
            gateway_name = f"{GATEWAY_TARGET}___{name}"
            events.extend(
                [
                    {
                        "contentBlockStart": {
                            "contentBlockIndex": index,
                            "start": {
                                "toolUse": {
                                    "toolUseId": tool_use_id,
                                    "name": gateway_name,
                                    # Not a harness field: a traced turn's events say simulated.
                                    "simulated": True,
                                }
                            },
                        }
                    },
                    {
                        "contentBlockDelta": {
                            "contentBlockIndex": index,
                            "delta": {"toolUse": {"input": json.dumps(arguments)}},
                        }
                    },
                    {"contentBlockStop": {"contentBlockIndex": index}},
                ]
            )
            result = self.gateway_call(gateway_name, arguments, headers, session_id)
            events.extend(
                [
                    {
                        "contentBlockStart": {
                            "contentBlockIndex": index + 3,
                            "start": {
                                "toolResult": {"toolUseId": tool_use_id, "status": "success"}
                            },
                        }
                    },
                    {
                        "contentBlockDelta": {
                            "contentBlockIndex": index + 3,
                            "delta": {"toolResult": [{"text": json.dumps(result)}]},
                        }
                    },
                    {"contentBlockStop": {"contentBlockIndex": index + 3}},
                ]
            )
            return result

        system = "\n\n".join(block["text"] for block in params.get("systemPrompt") or [])
        message = " ".join(
            block.get("text", "")
            for item in params["messages"]
            if item["role"] == "user"
            for block in item["content"]
        )
        reply = self.loop(session_id, system or self.instruction, message, run_tool, on_model)
        index = len(events)
        events.extend(
            [
                {"contentBlockDelta": {"contentBlockIndex": index, "delta": {"text": reply}}},
                {"contentBlockStop": {"contentBlockIndex": index}},
                {"messageStop": {"stopReason": "end_turn"}},
                {
                    "metadata": {
                        "usage": {**usage, "totalTokens": sum(usage.values())},
                        "metrics": {"latencyMs": 0},
                    }
                },
            ]
        )
        return {"stream": iter(events)}

    def gateway_call(self, gateway_name: str, arguments: dict, headers: dict, session: str) -> dict:
        """Call the action Lambda as the AgentCore Gateway does: arguments are the event, the
        tool and the allow-listed headers are in the client context."""
        from pattern_h.actions import TURN_HEADER, USER_HEADER

        # The gateway target's allow-list (the stack's `allowed_request_headers`).
        names = {USER_HEADER.lower(), TURN_HEADER.lower()}
        allowed = {k.lower(): v for k, v in headers.items() if k.lower() in names}
        context = LocalLambdaContext(
            function_name=ACTIONS_FUNCTION, timeout_seconds=timeouts.H_ACTION_FUNCTION_SECONDS
        )
        context.client_context = SimpleNamespace(  # type: ignore[attr-defined]
            custom={
                "bedrockAgentCoreMessageVersion": "1.0",
                "bedrockAgentCoreAwsRequestId": str(uuid.uuid4()),
                "bedrockAgentCoreMcpMessageId": uuid.uuid4().hex[:8],
                "bedrockAgentCoreGatewayId": "patterns-h-local",
                "bedrockAgentCoreTargetId": "LOCALTARGT",
                "bedrockAgentCoreToolName": gateway_name,
                "bedrockAgentCoreSessionId": session,
                "bedrockAgentCorePropagatedHeaders": allowed,
            }
        )
        module, _, attr = ACTIONS_HANDLER.partition(":")
        handler = getattr(importlib.import_module(module), attr)
        self.runtime.invocations[ACTIONS_FUNCTION] += 1
        event = {k: v for k, v in arguments.items() if v is not None}
        with own_process(), self.runtime.container(ACTIONS_FUNCTION):
            return handler(event, context)

    # -- the loop ----------------------------------------------------------------------------
    def loop(
        self,
        session_id: str,
        system: str,
        message: str,
        run_tool: ToolRunner,
        on_model: Callable[[dict], None],
    ) -> str:
        from pattern_core.model.client import model_name, openai_client

        history = self._load(session_id)
        messages: list[dict] = [
            {"role": "system", "content": system},
            *history,
            {"role": "user", "content": message},
        ]
        reply = "I could not finish that request; nothing else was done."
        try:
            for _ in range(MAX_MODEL_CALLS):
                with timed() as metadata:
                    response = openai_client().chat.completions.create(
                        model=model_name(), messages=messages, tools=self.tools
                    )
                usage = response.usage
                on_model(
                    {
                        "modelInvocationOutput": {
                            "traceId": str(uuid.uuid4()),
                            "metadata": {
                                **metadata,
                                "usage": {
                                    "inputTokens": getattr(usage, "prompt_tokens", 0) or 0,
                                    "outputTokens": getattr(usage, "completion_tokens", 0) or 0,
                                },
                            },
                        }
                    }
                )
                choice = response.choices[0].message
                if not choice.tool_calls:
                    reply = (choice.content or "").strip() or reply
                    break
                messages.append(choice.model_dump(exclude_none=True))
                for call in choice.tool_calls:
                    arguments = _arguments(call.function.arguments)
                    result = run_tool(call.function.name, arguments)
                    messages.append(
                        {"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)}
                    )
        except openai.RateLimitError as exc:
            raise ServiceError("ThrottlingException", "Rate exceeded (simulated).", 429) from exc
        except openai.APIError as exc:
            raise ServiceError("BadGatewayException", "The model failed (simulated).", 502) from exc
        turn = [{"role": "user", "content": message}, {"role": "assistant", "content": reply}]
        self._save(session_id, [*history, *turn])
        return reply

    def _path(self, session_id: str) -> Path:
        return self.sessions / f"{session_id}.json"

    def _load(self, session_id: str) -> list[dict]:
        path = self._path(session_id)
        return json.loads(path.read_text()) if path.exists() else []

    def _save(self, session_id: str, history: list[dict]) -> None:
        self.sessions.mkdir(parents=True, exist_ok=True)
        self._path(session_id).write_text(json.dumps(history[-20:]))


@contextlib.contextmanager
def own_process() -> Iterator[None]:
    """In AWS the action Lambda runs in its own process; here it runs inside the invoker's
    request. Powertools keeps the event being resolved on the router *class*, so keep the
    invoker's event and context aside while the action handler resolves its own."""
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    saved = (BaseRouter.current_event, BaseRouter.lambda_context)
    try:
        yield
    finally:
        BaseRouter.current_event, BaseRouter.lambda_context = saved


def _chat_tool(operation: dict) -> dict:
    """A Chat Completions tool from one operation of the generated schema."""
    parameters = _json_schema(operation["parameters"])
    return {
        "type": "function",
        "function": {
            "name": operation["name"],
            "description": operation["description"],
            "parameters": parameters,
        },
    }


def _json_schema(schema: dict) -> dict:
    """OpenAPI 3.0 (`nullable`) to JSON schema (`["string", "null"]`)."""
    out = {k: v for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable") and isinstance(schema.get("type"), str):
        out["type"] = [schema["type"], "null"]
    if "properties" in out:
        out["properties"] = {k: _json_schema(v) for k, v in out["properties"].items()}
    if out.get("type") == "object":
        out.setdefault("properties", {})
    return out


def _gateway_headers(tools: list[dict]) -> dict:
    for tool in tools:
        remote = (tool.get("config") or {}).get("remoteMcp")
        if remote:
            return dict(remote.get("headers") or {})
    return {}


def _arguments(raw: str | None) -> dict:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _body_properties(event: dict) -> list:
    return (
        event.get("requestBody", {})
        .get("content", {})
        .get("application/json", {})
        .get("properties", [])
    )


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def timed() -> Iterator[dict]:
    """The timing Bedrock's trace `metadata` reports for a call: start, end, total ms."""
    metadata: dict = {"startTime": _now()}
    try:
        yield metadata
    finally:
        metadata["endTime"] = _now()
        elapsed = metadata["endTime"] - metadata["startTime"]
        metadata["totalTimeMs"] = round(elapsed.total_seconds() * 1000)
