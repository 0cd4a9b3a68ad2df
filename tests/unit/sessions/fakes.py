"""An in-memory `pattern_core.agent_runtime.sessions.Conversation`, for orchestration tests."""

from __future__ import annotations

import copy


class MemoryConversation:
    """Same contract as Conversation: one history per (caller, session id), items in order."""

    def __init__(self, owner: str = "alice", session_id: str = "s1", _table=None) -> None:
        self.owner, self.session_id = owner, session_id
        self._table: dict[tuple[str, str], list[dict]] = _table if _table is not None else {}
        self.pending: list[dict] = []  # added this turn, written by flush() (as the real one)
        self.flushes = 0

    @property
    def stored(self) -> list[dict]:
        return self._table.setdefault((self.owner, self.session_id), [])

    def as_caller(self, caller: str) -> MemoryConversation:
        """The same session id in the same table, sent by another caller."""
        return MemoryConversation(caller, self.session_id, self._table)

    def items(self, limit: int | None = None) -> list[dict]:
        items = copy.deepcopy(self.stored + self.pending)
        return items[-limit:] if limit else items

    def add(self, items: list[dict]) -> None:
        self.pending.extend(copy.deepcopy(items))

    def flush(self) -> None:
        self.flushes += 1
        self.stored.extend(self.pending)
        self.pending = []

    def append(self, items: list[dict]) -> None:
        self.add(items)
        self.flush()

    def pop(self) -> dict | None:
        if self.pending:
            return self.pending.pop()
        return self.stored.pop() if self.stored else None

    def clear(self) -> None:
        self.pending = []
        self.stored.clear()
