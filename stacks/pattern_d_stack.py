"""Pattern D — function calling: the model proposes tool calls, the function's loop runs them.

One Lambda behind the chat API runs its own bounded Chat Completions tool loop; the sessions
table keeps each conversation. Its neighbour, pattern E, is the same shape with the loop
handed to the Agents SDK.

AWS shape: HTTP API → 1 Lambda (+ bookings table, sessions table, OpenAI key secret, layers).
"""

from __future__ import annotations

from stacks.chat_function_stack import ChatFunctionStack
from stacks.constants import AGENTS_SDK_MEMORY_MB


class ToolCallingStack(ChatFunctionStack):
    """One chat function that books and remembers: patterns D, E and F differ only in the
    code (and E/F, `AgentsSdkStack`, in memory)."""

    REMEMBERS_CONVERSATIONS = True


class AgentsSdkStack(ToolCallingStack):
    """D's shape with the tool loop in the OpenAI Agents SDK (E, F): more memory."""

    MEMORY_MB = AGENTS_SDK_MEMORY_MB


class PatternDStack(ToolCallingStack):
    PATTERN_ID = "D"
    DESCRIPTION = "AI orchestration patterns - D: function calling"
