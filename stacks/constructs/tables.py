"""The DynamoDB table settings every table in this project shares, and the construct the
bookings, sessions and idempotency tables are built on."""

from __future__ import annotations

from types import ModuleType
from typing import ClassVar

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct


def on_demand_table(
    scope: Construct,
    id_: str,
    *,
    partition_key: str,
    sort_key: str | None,
    ttl_attribute: str,
    retain_data: bool,
) -> dynamodb.Table:
    """String pk (and sk, unless None), on-demand, AWS-managed encryption, point-in-time
    recovery, TTL; deleted with the stack unless `retain_data`.

    `Table` (AWS::DynamoDB::Table) rather than `TableV2` (AWS::DynamoDB::GlobalTable): one
    region is all a pattern needs, and cdk-nag's PITR rule (AwsSolutions-DDB3) only inspects
    AWS::DynamoDB::Table, so this way the check really runs.
    """
    return dynamodb.Table(
        scope,
        id_,
        partition_key=dynamodb.Attribute(name=partition_key, type=dynamodb.AttributeType.STRING),
        sort_key=(
            dynamodb.Attribute(name=sort_key, type=dynamodb.AttributeType.STRING)
            if sort_key
            else None
        ),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        time_to_live_attribute=ttl_attribute,
        removal_policy=RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY,
    )


class ProjectTable(Construct):
    """One table of this project (`on_demand_table`), keyed by its code's schema module and
    granting exactly the item calls that code makes, on this table only — never `dynamodb:*`.

    Each subclass names its `SCHEMA`: the shared layer's module that its code and the local
    runtime read too (`PARTITION_KEY`, `TTL_ATTRIBUTE`, and `SORT_KEY` if it has one), and its
    `CALLS`."""

    SCHEMA: ClassVar[ModuleType]
    CALLS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, scope: Construct, id_: str, *, retain_data: bool = False) -> None:
        super().__init__(scope, id_)
        self.table = on_demand_table(
            self,
            "Table",
            partition_key=self.SCHEMA.PARTITION_KEY,
            sort_key=getattr(self.SCHEMA, "SORT_KEY", None),
            ttl_attribute=self.SCHEMA.TTL_ATTRIBUTE,
            retain_data=retain_data,
        )

    @property
    def table_name(self) -> str:
        return self.table.table_name

    def grant_calls(self, grantee: iam.IGrantable) -> None:
        iam.Grant.add_to_principal(
            grantee=grantee, actions=list(self.CALLS), resource_arns=[self.table.table_arn]
        )
