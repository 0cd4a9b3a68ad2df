"""The offline model: a deterministic, rule-based stand-in for OpenAI in local runs and tests.

An OpenAI-compatible endpoint (Chat Completions, Responses, tools, structured outputs) driven
by the real `openai` client and the Agents SDK through `base_url`. Its replies are labelled by
the model name `offline-stand-in`; it understands tennis-court booking and nothing else.

    from local.offline_model import start_offline_model

    with start_offline_model() as model:
        client = OpenAI(base_url=model.base_url, api_key="offline")

`decide()` is the policy itself, for callers that simulate a model loop in-process.
"""

from .language import UserRequest, find_today, parse_request
from .policy import CallTool, Conversation, Message, Reply, ToolCall, ToolResult, decide
from .server import OfflineModelServer, start_offline_model
from .toolbox import ToolSpec
from .wire import MODEL_NAME, count_tokens

__all__ = [
    "MODEL_NAME",
    "CallTool",
    "Conversation",
    "Message",
    "OfflineModelServer",
    "Reply",
    "ToolCall",
    "ToolResult",
    "ToolSpec",
    "UserRequest",
    "count_tokens",
    "decide",
    "find_today",
    "parse_request",
    "start_offline_model",
]
