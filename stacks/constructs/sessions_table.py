"""The sessions table: conversation history for patterns D-G, one item per message.

Keyed as `pattern_core.sessions` expects (the schema comes from `pattern_core.session_table`,
the module the store and the local runtime read). TTL on `expires_at` removes abandoned
conversations; the store itself caps each session's size.
"""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from constructs import Construct

from pattern_core.session_table import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE
from stacks.constructs.tables import on_demand_table

# What `pattern_core.sessions.Conversation` calls, and nothing more: GetItem (ownership),
# Query (history), UpdateItem (claim + sequence numbers), BatchWriteItem (a turn's messages and
# trimming), DeleteItem (pop).
SESSION_ACTIONS = (
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
)


class SessionsTable(Construct):
    """On-demand, encrypted, point-in-time recoverable, with TTL."""

    def __init__(self, scope: Construct, id_: str, *, retain_data: bool = False) -> None:
        super().__init__(scope, id_)
        self.table = on_demand_table(
            self,
            "Table",
            partition_key=PARTITION_KEY,
            sort_key=SORT_KEY,
            ttl_attribute=TTL_ATTRIBUTE,
            retain_data=retain_data,
        )

    @property
    def table_name(self) -> str:
        return self.table.table_name

    def grant_session_access(self, grantee: iam.IGrantable) -> None:
        iam.Grant.add_to_principal(
            grantee=grantee, actions=list(SESSION_ACTIONS), resource_arns=[self.table.table_arn]
        )
