"""Conversations that last: (caller, `session_id`) → history in DynamoDB.

Patterns D-G remember a conversation across requests (and across Lambda containers) here. One
table, one partition per (pattern, caller, session id), **one item per message** under it — so
no item grows with the conversation, and a turn's new messages are a batch of small puts:

    pk "E#<sha256(caller, s1)>"  sk "#meta"              next_seq, expires_at
    pk "E#<sha256(caller, s1)>"  sk "item#000000000001"  body (one message as JSON), bytes, …
    pk "E#<sha256(caller, s1)>"  sk "item#000000000002"  …

Bounds, so a long conversation can reach neither DynamoDB's 400 KB item limit nor the model's
context: a message over `max_item_bytes` has its long strings shortened; the whole history is
capped at `max_items` messages and `max_bytes`, dropping the **oldest whole turns** (history
always starts at a user message, so a tool result never loses the call it answers); every
write refreshes a TTL (`expires_at`), so abandoned sessions disappear by themselves.

Sessions belong to their caller: the verified caller is part of the key, so a session id is
only a name within one caller's conversations. Someone else sending the same id reaches their
own (fresh) conversation, never the first caller's history — and, since nothing is claimed, no
caller can lock another out of an id. (The hash keeps the key short whatever the caller's ARN
and keeps identities out of the table's keys; pattern H's `agent_session_id` does the same.)

`Conversation` is the synchronous store (pattern D's own loop uses it); `DynamoSession` adapts
it to the Agents SDK's `Session` protocol for patterns E-G. (Structurally, as the SDK advises
third-party sessions to do: importing the SDK here would cost pattern D's cold start ~2 s.)
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3

from pattern_core.session_table import PARTITION_KEY, SORT_KEY, TABLE_NAME_ENV, TTL_ATTRIBUTE

META_SK = "#meta"
ITEM_PREFIX = "item#"
_BATCH = 25  # BatchWriteItem's limit
TRUNCATED = " … [truncated]"


class SessionsNotConfigured(RuntimeError):
    """No sessions table is configured (SESSIONS_TABLE_NAME)."""


@dataclass(frozen=True)
class SessionLimits:
    max_items: int = 120  # messages kept per session (whole turns are dropped, oldest first)
    max_bytes: int = 160_000  # serialized history kept per session (~40k tokens at most)
    max_item_bytes: int = 16_000  # one message; longer strings inside it are shortened
    ttl_seconds: int = 7 * 24 * 3600

    @classmethod
    def from_env(cls) -> SessionLimits:
        hours = os.environ.get("SESSION_TTL_HOURS")
        return cls(ttl_seconds=int(float(hours) * 3600)) if hours else cls()


@dataclass(frozen=True)
class StoredItem:
    sk: str
    size: int
    item: dict


def is_user_message(item: dict) -> bool:
    """A user turn's first item, in Chat Completions or Responses shape."""
    return item.get("role") == "user" and item.get("type", "message") == "message"


def first_kept(items: list[StoredItem], limits: SessionLimits) -> int:
    """Index of the oldest item to keep: drop the oldest until within both bounds, then on to
    the next user message, so history starts at a turn boundary."""
    start, total = 0, sum(s.size for s in items)
    while start < len(items) and (
        len(items) - start > limits.max_items or total > limits.max_bytes
    ):
        total -= items[start].size
        start += 1
    while start < len(items) and not is_user_message(items[start].item):
        start += 1
    return start


def encode(item: dict, max_bytes: int) -> str:
    """The item as compact JSON no longer than `max_bytes`, shortening long strings if needed
    (a huge tool output is cut, not dropped, so the call it answers still has its answer)."""
    body = json.dumps(item, separators=(",", ":"), ensure_ascii=False)
    limit = max_bytes // 2
    while len(body.encode()) > max_bytes and limit > 16:
        body = json.dumps(_shorten(item, limit), separators=(",", ":"), ensure_ascii=False)
        limit //= 2
    return body


def _shorten(value: Any, limit: int) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + TRUNCATED
    if isinstance(value, dict):
        return {k: _shorten(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_shorten(v, limit) for v in value]
    return value


class ConversationStore:
    """The sessions table. Only this module touches it."""

    def __init__(
        self,
        table_name: str,
        client=None,
        *,
        limits: SessionLimits | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.table_name = table_name
        self.client = client or boto3.client("dynamodb")
        self.limits = limits or SessionLimits()
        self.clock = clock

    @classmethod
    def from_env(cls) -> ConversationStore:
        name = os.environ.get(TABLE_NAME_ENV)
        if not name:
            raise SessionsNotConfigured(f"{TABLE_NAME_ENV} is not set.")
        return cls(name, limits=SessionLimits.from_env())

    def conversation(self, namespace: str, session_id: str, owner: str) -> Conversation:
        return Conversation(self, namespace, session_id, owner)


def conversation_key(namespace: str, owner: str, session_id: str) -> str:
    """The partition of one caller's session: the caller is part of the key."""
    digest = hashlib.sha256(f"{owner}\n{session_id}".encode()).hexdigest()
    return f"{namespace}#{digest}"


class Conversation:
    """One caller's session history (synchronous DynamoDB calls)."""

    def __init__(self, store: ConversationStore, namespace: str, session_id: str, owner: str):
        if not owner:
            raise ValueError("a conversation needs the verified caller as its owner")
        self.store, self.session_id, self.owner = store, session_id, owner
        self.pk = conversation_key(namespace, owner, session_id)

    # -- reads -----------------------------------------------------------------------------
    def items(self, limit: int | None = None) -> list[dict]:
        """The history, oldest first (the latest `limit` items if given)."""
        items = [stored.item for stored in self._load()]
        return items[-limit:] if limit else items

    def _load(self, *, bounded: bool = True) -> list[StoredItem]:
        now = int(self.store.clock())
        stored: list[StoredItem] = []
        request = {
            "TableName": self.store.table_name,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
            "ExpressionAttributeValues": {":pk": {"S": self.pk}},
            "ConsistentRead": True,
        }
        while True:
            page = self.store.client.query(**request)
            for raw in page.get("Items", []):
                sk = raw[SORT_KEY]["S"]
                if sk == META_SK:
                    continue
                if int(raw.get(TTL_ATTRIBUTE, {}).get("N", now + 1)) > now:
                    # TTL deletion is lazy: an expired message is gone as far as we are concerned.
                    body = raw["body"]["S"]
                    stored.append(StoredItem(sk, len(body.encode()), json.loads(body)))
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return stored[first_kept(stored, self.store.limits) :] if bounded else stored

    # -- writes ----------------------------------------------------------------------------
    def append(self, items: list[dict]) -> None:
        """Add a turn's items, trimming old turns."""
        if not items:
            return
        limits = self.store.limits
        bodies = [encode(item, limits.max_item_bytes) for item in items]
        last_seq = self._claim(len(bodies))
        # Unbounded: messages already outside the bounds (or expired) are deleted now too.
        existing = self._load(bounded=False)
        new = [
            StoredItem(f"{ITEM_PREFIX}{last_seq - len(bodies) + 1 + i:012d}", len(b.encode()), it)
            for i, (b, it) in enumerate(zip(bodies, items, strict=True))
        ]
        combined = existing + new
        start = first_kept(combined, limits)
        expires = str(int(self.store.clock()) + limits.ttl_seconds)
        old = {stored.sk for stored in existing}
        writes: list[dict] = [
            {"DeleteRequest": {"Key": self._key(stored.sk)}}
            for stored in combined[:start]
            if stored.sk in old
        ]
        bodies_by_sk = {stored.sk: body for stored, body in zip(new, bodies, strict=True)}
        for stored in combined[start:]:
            if stored.sk in bodies_by_sk:
                writes.append(
                    {
                        "PutRequest": {
                            "Item": {
                                **self._key(stored.sk),
                                "body": {"S": bodies_by_sk[stored.sk]},
                                "bytes": {"N": str(stored.size)},
                                TTL_ATTRIBUTE: {"N": expires},
                            }
                        }
                    }
                )
        self._batch_write(writes)

    def pop(self) -> dict | None:
        stored = self._load()
        if not stored:
            return None
        self.store.client.delete_item(TableName=self.store.table_name, Key=self._key(stored[-1].sk))
        return stored[-1].item

    def clear(self) -> None:
        """Forget the messages."""
        self._batch_write(
            [
                {"DeleteRequest": {"Key": self._key(stored.sk)}}
                for stored in self._load(bounded=False)
            ]
        )

    def _claim(self, count: int) -> int:
        """Refresh the TTL and reserve `count` sequence numbers — one atomic update (two
        concurrent turns on one session never share a sequence number). Returns the last
        reserved number."""
        now = int(self.store.clock())
        updated = self.store.client.update_item(
            TableName=self.store.table_name,
            Key=self._key(META_SK),
            UpdateExpression=(
                "SET #ttl = :ttl, #created = if_not_exists(#created, :now) ADD #seq :n"
            ),
            ExpressionAttributeNames={
                "#ttl": TTL_ATTRIBUTE,
                "#created": "created_at",
                "#seq": "next_seq",
            },
            ExpressionAttributeValues={
                ":ttl": {"N": str(now + self.store.limits.ttl_seconds)},
                ":now": {"N": str(now)},
                ":n": {"N": str(count)},
            },
            ReturnValues="UPDATED_NEW",
        )
        return int(updated["Attributes"]["next_seq"]["N"])

    def _batch_write(self, writes: list[dict]) -> None:
        for start in range(0, len(writes), _BATCH):
            pending = {self.store.table_name: writes[start : start + _BATCH]}
            for _attempt in range(5):
                result = self.store.client.batch_write_item(RequestItems=pending)
                pending = result.get("UnprocessedItems") or {}
                if not pending:
                    break
            else:
                raise RuntimeError("DynamoDB did not accept the session write; try again.")

    def _key(self, sk: str) -> dict:
        return {PARTITION_KEY: {"S": self.pk}, SORT_KEY: {"S": sk}}


class DynamoSession:
    """The Agents SDK `agents.memory.Session` protocol over a `Conversation` (patterns E-G).

    The SDK loads the history before the run and adds the run's new items as it goes; boto3 is
    synchronous, so each call runs in a worker thread instead of blocking the event loop.
    """

    session_settings = None  # the size bounds live in the store (SessionLimits)

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.session_id = conversation.session_id

    async def get_items(self, limit: int | None = None) -> list:
        return await asyncio.to_thread(self.conversation.items, limit)

    async def add_items(self, items: list) -> None:
        await asyncio.to_thread(self.conversation.append, [dict(item) for item in items])

    async def pop_item(self):
        return await asyncio.to_thread(self.conversation.pop)

    async def clear_session(self) -> None:
        await asyncio.to_thread(self.conversation.clear)
