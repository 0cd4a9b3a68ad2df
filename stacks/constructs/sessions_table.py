"""The sessions table: conversation history for patterns D-G, one item per message.

Keyed as `pattern_core.agent_runtime.sessions` expects (the schema comes from
`pattern_core.agent_runtime.session_table`,
the module the store and the local runtime read). TTL on `expires_at` removes abandoned
conversations; the store itself caps each session's size.
"""

from __future__ import annotations

from constructs import Construct

from pattern_core.agent_runtime.session_table import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE
from stacks.constructs.tables import ProjectTable

# What `pattern_core.agent_runtime.sessions` calls, and nothing more: one Query reads a turn's
# history (meta
# item included) and one BatchWriteItem writes the turn's messages, the meta item and the
# deletes of trimmed turns.
SESSION_ACTIONS = ("dynamodb:BatchWriteItem", "dynamodb:Query")


class SessionsTable(ProjectTable):
    """On-demand, encrypted, point-in-time recoverable, with TTL."""

    CALLS = SESSION_ACTIONS

    def __init__(self, scope: Construct, id_: str, *, retain_data: bool = False) -> None:
        super().__init__(
            scope,
            id_,
            partition_key=PARTITION_KEY,
            sort_key=SORT_KEY,
            ttl_attribute=TTL_ATTRIBUTE,
            retain_data=retain_data,
        )
