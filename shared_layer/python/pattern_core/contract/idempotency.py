"""Idempotency keys for `POST /chat`: a client's retry gets the first answer, not a second turn.

A client that did not see an answer (a dropped connection, a gateway timeout) cannot know
whether its booking was made; sending the request again with the same `Idempotency-Key` header
is safe. Powertools idempotency stores the answer in DynamoDB (`IDEMPOTENCY_TABLE_NAME`, the
schema Powertools expects: partition key `id`, TTL attribute `expiration`):

- the record is keyed on *the verified caller and the key*, never the key alone, so one
  caller's key can neither read nor block another caller's answer (in `public` mode the caller
  is the guest session: send the `session_id` with a retry, or it is a new guest's request);
- a repeat within 24 hours returns the first answer, status and body identical, without
  running the turn (no model call, no booking);
- the same key with a different body is refused (`IdempotencyValidationError`), and a repeat
  while the first is still running is refused (`IdempotencyAlreadyInProgressError`) — the HTTP
  layer maps them to 422 `idempotency_key_reused` and 409 `request_in_progress`;
- the Lambda context is registered, so an in-progress record of a function that timed out or
  crashed expires with that invocation instead of blocking the key for 24 hours.

Which answers are stored: every answer below 500 — the 200s and the orchestration's own 4xx
(a slot taken, a request the workflow does not handle), which a retry would only repeat. A 5xx
(model unreachable, a step failed, the deadline passed) is *not* stored: the record is deleted
and the client may retry with the same key and get a real second attempt. That retry cannot
book a second court for the same hour, because the booking store allows one court per caller
per start time; a 504 names whatever the first attempt did book.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from pattern_core.collaborators import per_container
from pattern_core.contract.idempotency_table import (  # noqa: F401 (the table's names, here too)
    PARTITION_KEY,
    TTL_ATTRIBUTE,
)
from settings import Settings

logger = Logger(child=True)

HEADER = "idempotency-key"  # HTTP API v2 lower-cases header names
KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
EXPIRES_AFTER_SECONDS = 24 * 60 * 60
# How long a client should wait before asking again about a request still running: most turns
# finish within a few seconds; none outlives the function's 29 s timeout.
RETRY_AFTER_SECONDS = 5

# An answer as stored and replayed: {"status": int, "body": dict}; "replayed" is added on replay.
Answer = dict[str, Any]


class InvalidIdempotencyKey(ValueError):
    """An `Idempotency-Key` header outside 1-128 characters of [A-Za-z0-9._:-]."""


class _NotStored(Exception):
    """Raised inside the idempotent function for a 5xx answer: Powertools then deletes the
    in-progress record (so a retry runs again) and re-raises, and the answer is returned."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer["status"])
        self.answer = answer


def idempotency_key(headers: Mapping[str, str] | None) -> str | None:
    """The request's key, or None without the header; a malformed key is refused."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == HEADER), None)
    if value is None:
        return None
    if not KEY_PATTERN.match(value):
        raise InvalidIdempotencyKey(
            "Idempotency-Key must be 1-128 characters of letters, digits and . _ : -"
        )
    return value


@per_container
def persistence_layer() -> BasePersistenceLayer | None:
    """The container's store (built on first use), or None when no table is configured."""
    name = Settings.from_env().idempotency_table_name
    return DynamoDBPersistenceLayer(table_name=name) if name else None


def _mark_replayed(response: Answer, record: DataRecord) -> Answer:
    return {**response, "replayed": True}


def answer_once(
    produce: Callable[[], Answer],
    *,
    pattern: str,
    caller: str,
    key: str,
    request: dict,
    context: LambdaContext | None,
    store: BasePersistenceLayer,
) -> Answer:
    """Run `produce` once per (caller, key) and store its answer unless it is a 5xx; a repeat
    of the same request gets the stored answer with `"replayed": True`."""
    config = IdempotencyConfig(
        event_key_jmespath="[caller, key]",
        payload_validation_jmespath="request",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=EXPIRES_AFTER_SECONDS,
        hash_function="sha256",
        response_hook=_mark_replayed,
    )
    if context is not None:
        config.register_lambda_context(context)

    # One prefix per pattern, not the function's name: the local runtime serves all eight
    # patterns from one process and one table.
    @idempotent_function(
        data_keyword_argument="call",
        persistence_store=store,
        config=config,
        key_prefix=f"chat-{pattern}",
    )
    def run(call: dict) -> Answer:
        answer = produce()
        if answer["status"] >= 500:
            raise _NotStored(answer)
        return answer

    try:
        return run(call={"caller": caller, "key": key, "request": request})
    except _NotStored as not_stored:
        return not_stored.answer
