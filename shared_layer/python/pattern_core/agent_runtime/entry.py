"""The chat entry point of an agent pattern that keeps a conversation in one Lambda (E, F).

The agents run on the container's long-lived event loop (`runtime.run_sync`), so the model
client's connections survive warm invocations; the booking service and the session store come
from `pattern_core.collaborators`, built before a SnapStart snapshot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from booking.service import BookingService
from pattern_core.agent_runtime.runtime import run_sync
from pattern_core.agent_runtime.sessions import Conversation
from pattern_core.collaborators import booking_service, conversation_store
from pattern_core.contract.entry import chat_handler
from pattern_core.contract.turn import ChatOutcome, ChatTurn

HandleTurn = Callable[[ChatTurn, BookingService, Conversation], Awaitable[ChatOutcome]]


def conversation_chat_handler(pattern: str, handle_turn: HandleTurn):
    """(app, handler) for `pattern`: each turn runs `handle_turn` on the caller's conversation."""

    def orchestrate(turn: ChatTurn) -> ChatOutcome:
        conversation = conversation_store().conversation(pattern, turn.session_id, turn.user_id)
        return run_sync(handle_turn(turn, booking_service(), conversation))

    return chat_handler(pattern, orchestrate, warm=[booking_service, conversation_store])
