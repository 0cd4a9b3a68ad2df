"""What every pattern stack composes from: its deploy-time settings and the parts they share.

Each part keeps the construct id it has always had at the stack's top level ("Bookings",
"OpenAiKey", "SharedLayer", "ChatApi", …), so building it here changes no logical id.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Stack
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stacks.constants import PatternSettings
from stacks.constructs.booking_table import BookingTable
from stacks.constructs.chat_api import ChatApi
from stacks.constructs.idempotency_table import IdempotencyTable
from stacks.constructs.layers import DependenciesLayer, SharedLayer
from stacks.constructs.openai_secret import OpenAiSecret
from stacks.constructs.pattern_function import PatternFunction, runtime_environment
from stacks.constructs.sessions_table import SessionsTable


class PatternStack(Stack):
    """A pattern's stack: `PATTERN_ID` and `DESCRIPTION` name it; `settings` come from context."""

    PATTERN_ID: str
    DESCRIPTION: str

    def __init__(self, scope: Construct, id_: str, **kwargs) -> None:
        kwargs.setdefault("description", self.DESCRIPTION)
        super().__init__(scope, id_, **kwargs)
        self.settings = PatternSettings.from_context(self)
        self.layers: list[lambda_.ILayerVersion] = []

    @property
    def package(self) -> str:
        """The pattern's handler package under `lambdas/` (`pattern_a`, …)."""
        return f"pattern_{self.PATTERN_ID.lower()}"

    def bookings_table(self) -> BookingTable:
        return BookingTable(self, "Bookings", retain_data=self.settings.retain_data)

    def sessions_table(self) -> SessionsTable:
        return SessionsTable(self, "Sessions", retain_data=self.settings.retain_data)

    def openai_secret(self) -> OpenAiSecret:
        return OpenAiSecret(self, "OpenAiKey", secret_name=self.settings.openai_secret_name)

    def add_layers(self) -> None:
        """The shared layer (booking, pattern_core) and the dependencies layer, for every
        function `function()` builds."""
        self.layers = [
            SharedLayer(self, "SharedLayer").layer,
            DependenciesLayer(self, "DependenciesLayer").layer,
        ]

    def runtime_environment(self, table: BookingTable, secret: OpenAiSecret) -> dict[str, str]:
        return runtime_environment(
            self.settings, table_name=table.table_name, secret_arn=secret.secret_arn
        )

    def function(
        self, id_: str, *, package: str, environment: Mapping[str, str], **props
    ) -> PatternFunction:
        """A function of this pattern on the stack's layers (`PatternFunction` props)."""
        return PatternFunction(
            self,
            id_,
            pattern_id=self.PATTERN_ID,
            package=package,
            layers=self.layers,
            environment=environment,
            retain_logs=self.settings.retain_data,
            **props,
        )

    def keep_answers(self, function: lambda_.Function) -> None:
        """The idempotency table, serving the chat function's `Idempotency-Key` requests."""
        IdempotencyTable(self, "Idempotency", retain_data=self.settings.retain_data).serve(function)

    def chat_api(self, function: lambda_.Function) -> None:
        """The HTTP API in front of the chat function (`/chat`, `/health`)."""
        ChatApi(
            self,
            "ChatApi",
            handler=function,
            public=self.settings.public,
            retain_logs=self.settings.retain_data,
        )
