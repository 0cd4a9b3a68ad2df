"""The DynamoDB table settings every table in this project shares."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
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
