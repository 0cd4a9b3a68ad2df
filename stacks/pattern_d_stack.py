"""Pattern D — function calling: the model proposes tool calls, the function's loop runs them.

One Lambda behind the chat API runs its own bounded Chat Completions tool loop; the sessions
table keeps each conversation. Its neighbour, pattern E, is the same shape with the loop
handed to the Agents SDK.

AWS shape: HTTP API → 1 Lambda (+ bookings table, sessions table, OpenAI key secret, layers).
"""

from __future__ import annotations

from aws_cdk import Stack
from constructs import Construct

from pattern_core.session_table import TABLE_NAME_ENV
from stacks.constants import PatternSettings
from stacks.constructs.booking_table import BookingTable
from stacks.constructs.chat_api import ChatApi
from stacks.constructs.layers import DependenciesLayer, SharedLayer
from stacks.constructs.openai_secret import OpenAiSecret
from stacks.constructs.pattern_function import PatternFunction, runtime_environment
from stacks.constructs.sessions_table import SessionsTable


class ToolCallingStack(Stack):
    """One chat function that books and remembers: bookings + sessions tables, secret,
    layers, the function and the chat API (patterns D, E and F differ only in the code)."""

    PATTERN_ID = "D"
    PACKAGE = "pattern_d"
    DESCRIPTION = "AI orchestration patterns - D: function calling"
    MEMORY_MB = 512

    def __init__(self, scope: Construct, id_: str, **kwargs) -> None:
        kwargs.setdefault("description", self.DESCRIPTION)
        super().__init__(scope, id_, **kwargs)
        settings = PatternSettings.from_context(self)

        table = BookingTable(self, "Bookings", retain_data=settings.retain_data)
        sessions = SessionsTable(self, "Sessions", retain_data=settings.retain_data)
        secret = OpenAiSecret(self, "OpenAiKey", secret_name=settings.openai_secret_name)
        shared = SharedLayer(self, "SharedLayer")
        dependencies = DependenciesLayer(self, "DependenciesLayer")

        chat = PatternFunction(
            self,
            "Chat",
            pattern_id=self.PATTERN_ID,
            package=self.PACKAGE,
            layers=[shared.layer, dependencies.layer],
            environment={
                **runtime_environment(
                    settings, table_name=table.table_name, secret_arn=secret.secret_arn
                ),
                TABLE_NAME_ENV: sessions.table_name,
            },
            memory_size=self.MEMORY_MB,
            retain_logs=settings.retain_data,
        )
        table.grant_booking_access(chat.function)
        sessions.grant_session_access(chat.function)
        secret.grant_read(chat.function)

        ChatApi(
            self,
            "ChatApi",
            handler=chat.function,
            public=settings.public,
            retain_logs=settings.retain_data,
        )


class PatternDStack(ToolCallingStack):
    pass
