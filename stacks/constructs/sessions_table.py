"""The sessions table: conversation history for patterns D-G, one item per message.

Keyed as `pattern_core.agent_runtime.sessions` expects (the schema comes from
`pattern_core.agent_runtime.session_table`,
the module the store and the local runtime read). TTL on `expires_at` removes abandoned
conversations; the store itself caps each session's size.
"""

from __future__ import annotations

from pattern_core.agent_runtime import session_table
from stacks.constructs.tables import ProjectTable

# What `pattern_core.agent_runtime.sessions` calls, and nothing more: one Query reads a turn's
# history (meta
# item included) and one BatchWriteItem writes the turn's messages, the meta item and the
# deletes of trimmed turns.
SESSION_ACTIONS = ("dynamodb:BatchWriteItem", "dynamodb:Query")


class SessionsTable(ProjectTable):
    """On-demand, encrypted, point-in-time recoverable, with TTL."""

    SCHEMA = session_table
    CALLS = SESSION_ACTIONS
