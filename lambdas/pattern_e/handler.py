"""Pattern E's Lambda entry point: the HTTP contract around `orchestration.handle_turn`, on the
caller's conversation (`pattern_core.agent_runtime.entry`)."""

from __future__ import annotations

from pattern_core.agent_runtime.entry import conversation_chat_handler
from pattern_e.orchestration import handle_turn

app, handler = conversation_chat_handler("E", handle_turn)
