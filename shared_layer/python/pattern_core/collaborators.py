"""The collaborators every handler shares, one per container, built on first use, and `reset()`.

Nothing is built at import time; a warm container reuses the instances. `reset()` forgets
them all, so the next use builds them again: a test starting a fresh container, and the
SnapStart after-restore hook (`pattern_core.snapstart`) giving each restored container its own
clients. A handler's own per-container getter (an AWS client per read timeout) is made with
`per_container`, so `reset()` covers it too.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from booking.service import BookingService

if TYPE_CHECKING:
    from pattern_core.agent_runtime.sessions import ConversationStore

F = TypeVar("F", bound=Callable[..., Any])
_caches: list[Any] = []

# Client caches that still live beside their code; cleared only if that module was loaded
# (`reset()` imports nothing).
_ELSEWHERE = {
    "booking.store": ("dynamodb_client",),
    "pattern_core.model.client": ("openai_client", "openai_api_key"),
    "pattern_core.contract.idempotency": ("persistence_layer",),
}


def per_container(getter: F) -> F:
    """Cache `getter`'s result per argument tuple (at most 64) for the container's life, until
    `reset()`."""
    cached = functools.lru_cache(maxsize=64)(getter)
    _caches.append(cached)
    return cached  # type: ignore[return-value]


def reset() -> None:
    """Forget every per-container collaborator and client."""
    for cached in _caches:
        cached.cache_clear()
    for module_name, getters in _ELSEWHERE.items():
        module = sys.modules.get(module_name)
        for name in getters if module is not None else ():
            getattr(module, name).cache_clear()
    runtime = sys.modules.get("pattern_core.agent_runtime.runtime")
    if runtime is not None:  # the async model clients, one per event loop (patterns E-G)
        runtime._clients.clear()


@per_container
def booking_service() -> BookingService:
    return BookingService.from_env()


@per_container
def conversation_store() -> ConversationStore:
    from pattern_core.agent_runtime.sessions import (
        ConversationStore,  # only the patterns that remember
    )

    return ConversationStore.from_env()
