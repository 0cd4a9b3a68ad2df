"""The one way this project makes a log group: a month's retention, and deleted with the stack
unless the deployment keeps its data (`-c retain_data=true`)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.constants import LOG_RETENTION


def log_group(scope: Construct, id_: str, *, retain: bool) -> logs.LogGroup:
    return logs.LogGroup(
        scope,
        id_,
        retention=LOG_RETENTION,
        removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
    )
