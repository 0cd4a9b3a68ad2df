"""The per-container collaborators every handler shares, and `reset()`, which forgets them all.

A Lambda container builds each collaborator — the booking service, the schedule, the session
store, the model clients, AWS clients, the tracer — on first use and reuses it while warm; nothing
is built at import time. Every such cache in the code base is made with `per_container` (or,
for the per-event-loop model clients, lives here; Powertools parameters keeps its own, which
`reset()` clears too), so `reset()` is the one way to start a fresh container: tests call it,
and a SnapStart after-restore hook can too.
"""

from __future__ import annotations

import asyncio
import functools
import sys
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from booking.schedule import Schedule
from booking.service import BookingService

if TYPE_CHECKING:
    from openai import AsyncOpenAI

    from pattern_core.agent_runtime.sessions import ConversationStore

F = TypeVar("F", bound=Callable[..., Any])
_caches: list[Any] = []
# One async model client per event loop (its connection pool belongs to that loop); weak, so a
# closed loop's client goes with it.
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncOpenAI] = (
    weakref.WeakKeyDictionary()
)


def per_container(getter: F) -> F:
    """Cache `getter`'s result per argument tuple for the container's life (at most 64, e.g.
    one AWS client per read timeout), until `reset()`."""
    cached = functools.lru_cache(maxsize=64)(getter)
    _caches.append(cached)
    return cached  # type: ignore[return-value]


def reset() -> None:
    """Forget every per-container collaborator: the next use builds it again from the
    settings in the environment then (a fresh container, a restored snapshot, a test). That
    includes the values Powertools parameters cached (the OpenAI key secret), if it is loaded."""
    for cached in _caches:
        cached.cache_clear()
    _async_clients.clear()
    parameters = sys.modules.get("aws_lambda_powertools.utilities.parameters")
    if parameters is not None:  # never imported: nothing cached, and nothing to import here
        parameters.clear_caches()


@per_container
def dynamodb_client():
    """The DynamoDB client; AWS_ENDPOINT_URL_DYNAMODB points it at the local server."""
    import boto3  # on first use: boto3 costs ~0.3 s at import, and not every function needs it

    return boto3.client("dynamodb")


@per_container
def schedule() -> Schedule:
    return Schedule.from_env()


@per_container
def booking_service() -> BookingService:
    return BookingService.from_env(client=dynamodb_client(), schedule=schedule())


@per_container
def conversation_store() -> ConversationStore:
    from pattern_core.agent_runtime.sessions import ConversationStore  # D-G only

    return ConversationStore.from_env(dynamodb_client())


def async_openai_client() -> AsyncOpenAI:
    """The async model client for the running event loop (patterns E-G)."""
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        from openai import AsyncOpenAI

        from pattern_core.model.client import client_options

        client = _async_clients[loop] = AsyncOpenAI(**client_options())
    return client
