"""The idempotency table: the answers to `POST /chat` requests sent with an `Idempotency-Key`.

One per stack, used by the chat function only (`pattern_core.contract.idempotency`). The schema
is the
one Powertools' `DynamoDBPersistenceLayer` expects by default: partition key `id` (the caller
and key, hashed), TTL on `expiration` (records live 24 hours). On demand, encrypted,
point-in-time recoverable, deleted with the stack unless `-c retain_data=true`, like every
table here (`stacks.constructs.tables`).
"""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_

from pattern_core.contract import idempotency_table
from stacks.constructs.pattern_function import add_settings
from stacks.constructs.tables import ProjectTable

# The item calls Powertools makes: PutItem (claim the key, conditionally), GetItem (read a
# record when the claim fails), UpdateItem (store the answer), DeleteItem (release the key
# after a failure, so the client can retry).
IDEMPOTENCY_ACTIONS = (
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
)


class IdempotencyTable(ProjectTable):
    """On-demand, encrypted, point-in-time recoverable, with TTL."""

    SCHEMA = idempotency_table  # Powertools' own key schema: no sort key
    CALLS = IDEMPOTENCY_ACTIONS

    def serve(self, function: lambda_.Function) -> None:
        """Let the chat function keep its answers here: the table's name in its environment
        and exactly Powertools' item calls on this table."""
        add_settings(function, idempotency_table_name=self.table_name)
        self.grant_calls(function)
