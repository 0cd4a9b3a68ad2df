"""A chat API in front of one Lambda that books: the shape patterns A, B, D, E and F share.

AWS shape: HTTP API → 1 Lambda (+ bookings table, idempotency table, OpenAI key secret, two
layers, and for the patterns that remember conversations a sessions table). Which code runs in
the function is the only difference between the patterns built on it.
"""

from __future__ import annotations

from settings import Settings
from stacks.constants import DEFAULT_FUNCTION_MEMORY_MB
from stacks.pattern_stack import PatternStack


class ChatFunctionStack(PatternStack):
    """Composes the table, secret, layers, one function and the chat API; wires the grants.
    Subclasses name the pattern (its code is `lambdas/pattern_<id>`);
    `REMEMBERS_CONVERSATIONS` adds the sessions table (D-F)."""

    REMEMBERS_CONVERSATIONS = False
    MEMORY_MB = DEFAULT_FUNCTION_MEMORY_MB

    def __init__(self, scope, id_: str, **kwargs) -> None:
        super().__init__(scope, id_, **kwargs)
        table = self.bookings_table()
        sessions = self.sessions_table() if self.REMEMBERS_CONVERSATIONS else None
        secret = self.openai_secret()
        self.add_layers()

        environment = self.runtime_environment(table, secret)
        if sessions:
            environment |= Settings.environment(sessions_table_name=sessions.table_name)
        chat = self.function(
            "Chat", package=self.package, environment=environment, memory_size=self.MEMORY_MB
        )
        table.grant_booking_access(chat.function)
        if sessions:
            sessions.grant_calls(chat.function)
        secret.grant_read(chat.function)
        self.keep_answers(chat.function)
        self.chat_api(chat.invocable)
