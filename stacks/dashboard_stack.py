"""PatternsDashboard: one CloudWatch dashboard comparing the deployed patterns.

Not a pattern: it serves no API and owns no data. It reads the metrics the pattern stacks'
functions publish (`AiOrchestrationPatterns`, dimension `pattern`), so it deploys alone, before
or after any of them (`npx cdk deploy PatternsDashboard`), and shows whichever are deployed.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws, CfnOutput, Stack
from constructs import Construct

from stacks.constructs.dashboard import PatternsDashboard

DESCRIPTION = "AI orchestration patterns - dashboard: the patterns' turns side by side"


class PatternsDashboardStack(Stack):
    def __init__(self, scope: Construct, id_: str, *, pattern_ids: Sequence[str], **kwargs) -> None:
        kwargs.setdefault("description", DESCRIPTION)
        super().__init__(scope, id_, **kwargs)
        # Named after the stack: easy to find in the console, unique per stack name.
        dashboard = PatternsDashboard(
            self, "Patterns", pattern_ids=pattern_ids, dashboard_name=self.stack_name
        )
        CfnOutput(
            self,
            "DashboardUrl",
            description="The dashboard in the CloudWatch console",
            value=(
                f"https://{Aws.REGION}.console.aws.amazon.com/cloudwatch/home"
                f"?region={Aws.REGION}#dashboards/dashboard/{dashboard.dashboard.dashboard_name}"
            ),
        )
