"""An in-memory stand-in for `pattern_core.sessions.Conversation`, for orchestration tests."""

from __future__ import annotations

import copy

from pattern_core.sessions import SessionForbidden


class MemoryConversation:
    """Same contract as Conversation: owned by its first writer, items in order."""

    def __init__(self, owner: str = "alice", session_id: str = "s1", _state=None) -> None:
        self.owner, self.session_id = owner, session_id
        self._state = _state if _state is not None else {"claimed_by": None, "items": []}

    @property
    def stored(self) -> list[dict]:
        return self._state["items"]

    def as_caller(self, caller: str) -> MemoryConversation:
        """The same stored session, opened by another caller."""
        return MemoryConversation(caller, self.session_id, self._state)

    def authorize(self) -> None:
        if self._state["claimed_by"] not in (None, self.owner):
            raise SessionForbidden("belongs to another caller")

    def items(self, limit: int | None = None) -> list[dict]:
        self.authorize()
        items = copy.deepcopy(self.stored)
        return items[-limit:] if limit else items

    def append(self, items: list[dict]) -> None:
        self.authorize()
        self._state["claimed_by"] = self.owner
        self.stored.extend(copy.deepcopy(items))

    def pop(self) -> dict | None:
        return self.stored.pop() if self.stored else None

    def clear(self) -> None:
        self.stored.clear()
