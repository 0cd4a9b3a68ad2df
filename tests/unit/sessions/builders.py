"""The sessions store under moto, and the messages its tests store (shared by both test files)."""

from __future__ import annotations

from pattern_core.agent_runtime.sessions import ConversationStore, SessionLimits

TABLE = "sessions-under-test"
NOW = 1_790_000_000


def store(client, **limits) -> ConversationStore:
    return ConversationStore(TABLE, client, limits=SessionLimits(**limits), clock=lambda: NOW)


def user(text: str) -> dict:
    return {"role": "user", "content": text}


def assistant(text: str) -> dict:
    return {"role": "assistant", "content": text}


def tool_call(call_id: str) -> dict:
    return {"type": "function_call", "call_id": call_id, "name": "check_availability"}


def tool_output(call_id: str, output: str = "{}") -> dict:
    return {"type": "function_call_output", "call_id": call_id, "output": output}
