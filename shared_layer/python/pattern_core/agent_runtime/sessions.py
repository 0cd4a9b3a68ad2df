"""Conversations that last: (caller, `session_id`) → history in DynamoDB.

Patterns D-G remember a conversation across requests (and across Lambda containers) here. One
table, one partition per (pattern, caller, session id), **one item per message** under it — so
no item grows with the conversation:

    pk "E#<sha256(caller, s1)>"  sk "#meta"                          next_seq, messages, bytes, …
    pk "E#<sha256(caller, s1)>"  sk "item#000000000001-<token>-0000"  body (one message), bytes, …
    pk "E#<sha256(caller, s1)>"  sk "item#000000000001-<token>-0001"  …

**One read and one write per turn.** The turn's first read is one Query of the partition (meta
item included); the turn's messages are buffered (the Agents SDK's several `add_items` calls,
its read-backs and rewinds all work on the buffer) and `flush()` writes them in one
BatchWriteItem together with the meta item and the deletes of trimmed turns. The trim needs no
second read: the turn's read saw every message and its size. A turn's messages are numbered
by the meta item's `next_seq` (a turn counter) plus a random token, so two turns running at
once on one session both keep their messages without a claim call. (Sessions written before
numbered each message; their numbers count as used, so new turns sort after them.)

**A failed turn loses nothing it had:** the agent runtime flushes however the run ends — the
request and every step the SDK completed (a tool call with its result); pattern D writes the
request alone (an unanswered tool call would make the next request invalid).

Bounds, so a long conversation can reach neither DynamoDB's 400 KB item limit nor the model's
context: a message over `max_item_bytes` has its long strings shortened; the whole history is
capped at `max_items` messages and `max_bytes`, dropping the **oldest whole turns** (history
always starts at a user message, so a tool result never loses the call it answers); every
write sets the TTL (`expires_at`) of the meta item and the new messages, so abandoned
sessions disappear by themselves.

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
import copy
import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pattern_core.agent_runtime.session_table import (
    PARTITION_KEY,
    SORT_KEY,
    TTL_ATTRIBUTE,
)
from settings import Settings, env_key

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
        hours = Settings.from_env().session_ttl_hours
        return cls(ttl_seconds=int(hours * 3600)) if hours else cls()


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
        client,
        *,
        limits: SessionLimits | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.table_name = table_name
        self.client = client
        self.limits = limits or SessionLimits()
        self.clock = clock

    @classmethod
    def from_env(cls, client) -> ConversationStore:
        """The sessions table the environment names, through `client` (the container's
        DynamoDB client, `pattern_core.collaborators.dynamodb_client`)."""
        name = Settings.from_env().sessions_table_name
        if not name:
            raise SessionsNotConfigured(f"{env_key('sessions_table_name')} is not set.")
        return cls(name, client, limits=SessionLimits.from_env())

    def conversation(self, namespace: str, session_id: str, owner: str) -> Conversation:
        return Conversation(self, namespace, session_id, owner)


def conversation_key(namespace: str, owner: str, session_id: str) -> str:
    """The partition of one caller's session: the caller is part of the key."""
    digest = hashlib.sha256(f"{owner}\n{session_id}".encode()).hexdigest()
    return f"{namespace}#{digest}"


class Conversation:
    """One caller's session history for one turn: read once, buffered, written once.

    `items()` reads the history (one Query, cached for the turn); `add()` buffers the turn's
    new messages and `pop()` takes back the latest; `flush()` writes all of it in one batch
    and forgets the cached read, so the next turn reads afresh. `append()` is add + flush.
    """

    def __init__(self, store: ConversationStore, namespace: str, session_id: str, owner: str):
        if not owner:
            raise ValueError("a conversation needs the verified caller as its owner")
        self.store, self.session_id, self.owner = store, session_id, owner
        self.pk = conversation_key(namespace, owner, session_id)
        self._read: _Read | None = None  # this turn's one read
        self._pending: list[dict] = []  # added this turn, not yet written
        self._popped: set[str] = set()  # stored messages taken back this turn

    # -- reads -----------------------------------------------------------------------------
    def items(self, limit: int | None = None) -> list[dict]:
        """The history, oldest first, with this turn's unwritten messages at the end (the
        latest `limit` items if given)."""
        # Copies: the caller (the SDK) may change what it gets; the turn's read must not change.
        items = copy.deepcopy([stored.item for stored in self._kept()] + self._pending)
        return items[-limit:] if limit else items

    def _kept(self) -> list[StoredItem]:
        stored = self._load().items
        return stored[first_kept(stored, self.store.limits) :]

    def _load(self) -> _Read:
        """The whole partition, meta item included, once per turn (strongly consistent)."""
        if self._read is not None:
            return self._read
        now = int(self.store.clock())
        read = _Read()
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
                    read.last_turn = max(read.last_turn, int(raw.get("next_seq", {}).get("N", 0)))
                    read.created_at = raw.get("created_at", {}).get("N")
                    continue
                # Numbers already used stay used, even by a message past its TTL.
                read.last_turn = max(read.last_turn, _sequence_of(sk))
                if int(raw.get(TTL_ATTRIBUTE, {}).get("N", now + 1)) > now:
                    # TTL deletion is lazy: an expired message is gone as far as we are concerned.
                    body = raw["body"]["S"]
                    read.items.append(StoredItem(sk, len(body.encode()), json.loads(body)))
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        self._read = read
        return read

    # -- this turn's changes -----------------------------------------------------------------
    def add(self, items: list[dict]) -> None:
        """Buffer messages for this turn's one write (`flush`)."""
        self._pending.extend(copy.deepcopy(items))

    def pop(self) -> dict | None:
        """Take back the latest message: an unwritten one simply leaves the buffer; a stored
        one is deleted by this turn's write."""
        if self._pending:
            return self._pending.pop()
        kept = self._kept()
        if not kept:
            return None
        latest = kept[-1]
        self._popped.add(latest.sk)
        self._load().items.remove(latest)
        return latest.item

    def append(self, items: list[dict]) -> None:
        """Add messages and write them now."""
        self.add(items)
        self.flush()

    # -- the one write ---------------------------------------------------------------------
    def flush(self) -> None:
        """Write this turn's messages, drop the oldest whole turns past the bounds and refresh
        the TTL: one BatchWriteItem (another per 25 rows past the first 25).

        The trim needs no second read: the turn's read saw every stored message with its
        size, and the meta item's counters (`messages`, `bytes`) are set from that read plus
        this turn. This turn's messages take the next turn number from the meta item and a
        random token in their sort keys (`item#<turn>-<token>-<index>`), so two turns running
        at once on one session never overwrite each other's messages, without a claim call.
        """
        if not self._pending and not self._popped:
            self._read = None
            return
        limits = self.store.limits
        read = self._load()
        turn = read.last_turn + 1
        token = secrets.token_hex(4)
        bodies = [encode(item, limits.max_item_bytes) for item in self._pending]
        new = [
            StoredItem(f"{ITEM_PREFIX}{turn:012d}-{token}-{i:04d}", len(body.encode()), item)
            for i, (body, item) in enumerate(zip(bodies, self._pending, strict=True))
        ]
        combined = read.items + new
        start = first_kept(combined, limits)
        now = int(self.store.clock())
        expires = str(now + limits.ttl_seconds)
        kept = combined[start:]
        meta = {
            **self._key(META_SK),
            "next_seq": {"N": str(turn)},
            "created_at": {"N": read.created_at or str(now)},
            "messages": {"N": str(len(kept))},
            "bytes": {"N": str(sum(stored.size for stored in kept))},
            TTL_ATTRIBUTE: {"N": expires},
        }
        # The new messages (and the meta item) go first: if a later batch fails, what is left
        # over is old messages that the next turn's write deletes, never a lost message.
        writes: list[dict] = [{"PutRequest": {"Item": meta}}]
        bodies_by_sk = {stored.sk: body for stored, body in zip(new, bodies, strict=True)}
        for stored in kept:
            if stored.sk in bodies_by_sk:
                item = {
                    **self._key(stored.sk),
                    "body": {"S": bodies_by_sk[stored.sk]},
                    "bytes": {"N": str(stored.size)},
                    TTL_ATTRIBUTE: {"N": expires},
                }
                writes.append({"PutRequest": {"Item": item}})
        stored_sks = {stored.sk for stored in read.items}
        writes += [
            {"DeleteRequest": {"Key": self._key(sk)}}
            for sk in sorted(self._popped | ({s.sk for s in combined[:start]} & stored_sks))
        ]
        self._batch_write(writes)
        self._read, self._pending, self._popped = None, [], set()

    def clear(self) -> None:
        """Forget the messages (now, not at the next flush)."""
        self._read, self._pending, self._popped = None, [], set()
        self._batch_write(
            [{"DeleteRequest": {"Key": self._key(stored.sk)}} for stored in self._load().items]
        )
        self._read = None

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


@dataclass
class _Read:
    """What a turn's one Query found: the live messages, and the meta item's bookkeeping."""

    items: list[StoredItem] = field(default_factory=list)
    last_turn: int = 0  # the highest turn (or, before issue 12, message) number used
    created_at: str | None = None


def _sequence_of(sk: str) -> int:
    """The number in `item#000000000007` (one message, before) or `item#000000000007-…`."""
    digits = sk[len(ITEM_PREFIX) :].split("-", 1)[0]
    return int(digits) if digits.isdigit() else 0


class DynamoSession:
    """The Agents SDK `agents.memory.Session` protocol over a `Conversation` (patterns E-G).

    The SDK loads the history before the run, adds the run's new items after each of its
    turns and may read the tail back (or pop it, to rewind a retried step). All of that happens
    in memory over the turn's one read; whoever runs the agent calls `flush()` once when the
    run ends — successful or not — to write everything in one go. boto3 is synchronous, so
    the calls that reach DynamoDB run in a worker thread instead of blocking the event loop.
    """

    session_settings = None  # the size bounds live in the store (SessionLimits)

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.session_id = conversation.session_id

    async def get_items(self, limit: int | None = None) -> list:
        return await asyncio.to_thread(self.conversation.items, limit)

    async def add_items(self, items: list) -> None:
        self.conversation.add([dict(item) for item in items])

    async def pop_item(self):
        return await asyncio.to_thread(self.conversation.pop)

    async def clear_session(self) -> None:
        await asyncio.to_thread(self.conversation.clear)

    async def flush(self) -> None:
        """Write what the run added (one BatchWriteItem); call once, when the run ends."""
        await asyncio.to_thread(self.conversation.flush)
