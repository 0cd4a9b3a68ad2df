"""The bookings table: one DynamoDB table per pattern stack, keyed exactly as the store expects.

The key schema is imported from the shared layer (`booking.table`), the same module the store
and the local runtime read, so the deployed table and the local one cannot drift apart.

Data lifetime: `RemovalPolicy.DESTROY` by default, because this is a demo that should leave
nothing behind on `cdk destroy`. Deploy with `-c retain_data=true` to keep the table (and
the log groups) when the stack is deleted.
"""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from booking import table as schema
from stacks.constructs.tables import ProjectTable

# What `booking.store.DynamoBookingStore` calls, and nothing more: a conditional PutItem books,
# a Query reads a day (table) or a user's bookings (index), a conditional DeleteItem cancels,
# a GetItem reads the caller's ledger (or tells "not yours" from "not found"), a BatchGetItem
# reads one start time's slots with the ledger, and a conditional UpdateItem reserves or
# releases a start time in the ledger.
TABLE_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
)
INDEX_ACTIONS = ("dynamodb:Query",)


class BookingTable(ProjectTable):
    """On-demand table with point-in-time recovery, AWS-managed encryption, TTL and the
    by-user index."""

    SCHEMA = schema
    CALLS = TABLE_ACTIONS

    def __init__(self, scope: Construct, id_: str, *, retain_data: bool = False) -> None:
        super().__init__(scope, id_, retain_data=retain_data)
        self.table.add_global_secondary_index(
            index_name=schema.USER_INDEX_NAME,
            partition_key=dynamodb.Attribute(
                name=schema.USER_INDEX_PARTITION_KEY, type=dynamodb.AttributeType.STRING
            ),
            sort_key=dynamodb.Attribute(
                name=schema.USER_INDEX_SORT_KEY, type=dynamodb.AttributeType.STRING
            ),
            projection_type=dynamodb.ProjectionType.ALL,
        )

    def grant_booking_access(self, grantee: iam.IGrantable) -> None:
        """Exactly the calls the booking store makes, on this table and its user index only
        (no `dynamodb:*`, no `index/*`)."""
        self.grant_calls(grantee)
        self.grant_user_bookings_query(grantee)

    def grant_user_bookings_query(self, grantee: iam.IGrantable) -> None:
        """Only a Query on the user index: list a caller's bookings, change nothing."""
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(INDEX_ACTIONS),
            resource_arns=[f"{self.table.table_arn}/index/{schema.USER_INDEX_NAME}"],
        )
