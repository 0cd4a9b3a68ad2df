"""The collaborators every handler shares, one per container, built on first use.

Nothing is built at import time; a warm container reuses the instances. Handlers import these
getters, and tests start a fresh container with `cache_clear()`.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from booking.service import BookingService

if TYPE_CHECKING:
    from pattern_core.agent_runtime.sessions import ConversationStore


@functools.cache
def booking_service() -> BookingService:
    return BookingService.from_env()


@functools.cache
def conversation_store() -> ConversationStore:
    from pattern_core.agent_runtime.sessions import (
        ConversationStore,  # only the patterns that remember
    )

    return ConversationStore.from_env()
