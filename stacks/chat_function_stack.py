"""A chat API in front of one Lambda that books: the shape patterns A and B share.

AWS shape: HTTP API → 1 Lambda (+ bookings table, OpenAI key secret, two layers). Which code
runs in the function is the only difference between the patterns built on it.
"""

from __future__ import annotations

from aws_cdk import Stack
from constructs import Construct

from stacks.constants import PatternSettings
from stacks.constructs.booking_table import BookingTable
from stacks.constructs.chat_api import ChatApi
from stacks.constructs.layers import DependenciesLayer, SharedLayer
from stacks.constructs.openai_secret import OpenAiSecret
from stacks.constructs.pattern_function import PatternFunction, runtime_environment


class ChatFunctionStack(Stack):
    """Composes the table, secret, layers, one function and the chat API; wires the grants.
    Subclasses name the pattern; the resources are the same for every one-function pattern
    whose function books but keeps no conversation (A, B)."""

    PATTERN_ID: str
    PACKAGE: str
    DESCRIPTION: str

    def __init__(self, scope: Construct, id_: str, **kwargs) -> None:
        kwargs.setdefault("description", self.DESCRIPTION)
        super().__init__(scope, id_, **kwargs)
        settings = PatternSettings.from_context(self)

        table = BookingTable(self, "Bookings", retain_data=settings.retain_data)
        secret = OpenAiSecret(self, "OpenAiKey", secret_name=settings.openai_secret_name)
        shared = SharedLayer(self, "SharedLayer")
        dependencies = DependenciesLayer(self, "DependenciesLayer")

        chat = PatternFunction(
            self,
            "Chat",
            pattern_id=self.PATTERN_ID,
            package=self.PACKAGE,
            layers=[shared.layer, dependencies.layer],
            environment=runtime_environment(
                settings, table_name=table.table_name, secret_arn=secret.secret_arn
            ),
            retain_logs=settings.retain_data,
        )
        table.grant_booking_access(chat.function)
        secret.grant_read(chat.function)

        ChatApi(
            self,
            "ChatApi",
            handler=chat.function,
            public=settings.public,
            retain_logs=settings.retain_data,
        )
