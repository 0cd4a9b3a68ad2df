"""A chat API in front of one Lambda that books: the shape patterns A, B, D, E and F share.

AWS shape: HTTP API → 1 Lambda (+ bookings table, idempotency table, OpenAI key secret, two
layers, and for the patterns that remember conversations a sessions table). Which code runs in
the function is the only difference between the patterns built on it.
"""

from __future__ import annotations

from aws_cdk import Stack
from constructs import Construct

from pattern_core.agent_runtime.session_table import TABLE_NAME_ENV
from stacks.constants import DEFAULT_FUNCTION_MEMORY_MB, PatternSettings
from stacks.constructs.booking_table import BookingTable
from stacks.constructs.chat_api import ChatApi
from stacks.constructs.idempotency_table import IdempotencyTable
from stacks.constructs.layers import DependenciesLayer, SharedLayer
from stacks.constructs.openai_secret import OpenAiSecret
from stacks.constructs.pattern_function import PatternFunction, runtime_environment
from stacks.constructs.sessions_table import SessionsTable


class ChatFunctionStack(Stack):
    """Composes the table, secret, layers, one function and the chat API; wires the grants.
    Subclasses name the pattern; `REMEMBERS_CONVERSATIONS` adds the sessions table (D-F)."""

    PATTERN_ID: str
    PACKAGE: str
    DESCRIPTION: str
    REMEMBERS_CONVERSATIONS = False
    MEMORY_MB = DEFAULT_FUNCTION_MEMORY_MB

    def __init__(self, scope: Construct, id_: str, **kwargs) -> None:
        kwargs.setdefault("description", self.DESCRIPTION)
        super().__init__(scope, id_, **kwargs)
        settings = PatternSettings.from_context(self)

        table = BookingTable(self, "Bookings", retain_data=settings.retain_data)
        sessions = (
            SessionsTable(self, "Sessions", retain_data=settings.retain_data)
            if self.REMEMBERS_CONVERSATIONS
            else None
        )
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
                **({TABLE_NAME_ENV: sessions.table_name} if sessions else {}),
            },
            memory_size=self.MEMORY_MB,
            retain_logs=settings.retain_data,
        )
        table.grant_booking_access(chat.function)
        if sessions:
            sessions.grant_calls(chat.function)
        secret.grant_read(chat.function)
        IdempotencyTable(self, "Idempotency", retain_data=settings.retain_data).serve(chat.function)

        ChatApi(
            self,
            "ChatApi",
            handler=chat.invocable,
            public=settings.public,
            retain_logs=settings.retain_data,
        )
