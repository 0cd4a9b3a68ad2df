"""A CloudWatch dashboard that puts every pattern's measured turns side by side.

Each pattern's /chat function publishes one EMF data point per figure per turn
(`pattern_core.contract.http.publish_turn_metrics`) and one `Errors` count per error response
(`pattern_core.contract.metrics.publish_error`). This construct only reads those metrics: it
creates no
alarm, role or log group, and needs none of the pattern stacks deployed to deploy (a pattern
that has not sent a turn yet is simply an empty line).

Comparisons ("which pattern makes the most model calls per turn?") are bar charts over the
dashboard's whole time range, one bar per pattern; latency and errors are time series, because
when they happened matters. The error panel is a metric search, so it shows every status that
occurred without a second list of statuses to keep in step with the HTTP contract.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from stacks.constants import METRICS_NAMESPACE

FULL_WIDTH = 24
CHART_HEIGHT = 6
# Demo traffic is sparse: five-minute buckets keep a handful of turns visible as points.
TIME_SERIES_PERIOD = Duration.minutes(5)
DEFAULT_INTERVAL = Duration.days(1)


def service_name(pattern_id: str) -> str:
    """The `service` dimension Powertools adds to a pattern's metrics: its functions'
    `POWERTOOLS_SERVICE_NAME` (set by `PatternFunction`; a drift test compares the two)."""
    return f"pattern-{pattern_id.lower()}"


class PatternsDashboard(Construct):
    """One dashboard, one line or bar per pattern in every panel."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        pattern_ids: Sequence[str],
        dashboard_name: str,
        namespace: str = METRICS_NAMESPACE,
    ) -> None:
        super().__init__(scope, id_)
        if not pattern_ids:
            raise ValueError("a dashboard of the patterns needs at least one pattern id")
        self.pattern_ids = list(pattern_ids)
        self.namespace = namespace

        per_turn = "Average per turn over the time range"
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=dashboard_name,
            default_interval=DEFAULT_INTERVAL,
            widgets=[
                [self._introduction()],
                [
                    self._comparison("LLM calls per turn", "LLMCalls", per_turn),
                    self._comparison("Input tokens per turn", "InputTokens", per_turn),
                    self._comparison("Output tokens per turn", "OutputTokens", per_turn),
                ],
                [
                    self._turn_duration(percentile=50),
                    self._turn_duration(percentile=95),
                ],
                [
                    self._comparison("Tool calls per turn", "ToolCalls", per_turn),
                    self._comparison("Lambda invocations per turn", "LambdaInvocations", per_turn),
                    self._comparison("State transitions per turn", "StateTransitions", per_turn),
                ],
                [
                    # Every answered turn publishes exactly one TurnDuration: its sample count
                    # is the number of turns.
                    self._comparison(
                        "Turns answered",
                        "TurnDuration",
                        "Over the time range",
                        statistic=cloudwatch.Stats.SAMPLE_COUNT,
                    ),
                    # Each turn publishes how many courts it booked and bookings it cancelled.
                    self._comparison(
                        "Courts booked",
                        "Bookings",
                        "Over the time range",
                        statistic=cloudwatch.Stats.SUM,
                    ),
                    self._comparison(
                        "Bookings cancelled",
                        "Cancellations",
                        "Over the time range",
                        statistic=cloudwatch.Stats.SUM,
                    ),
                ],
                [self._errors_by_status()],
            ],
        )

    def metric(self, metric_name: str, pattern_id: str, statistic: str) -> cloudwatch.Metric:
        """`metric_name` of one pattern, with exactly the dimensions its function publishes."""
        return cloudwatch.Metric(
            namespace=self.namespace,
            metric_name=metric_name,
            dimensions_map={"pattern": pattern_id, "service": service_name(pattern_id)},
            statistic=statistic,
            label=pattern_id,
            period=TIME_SERIES_PERIOD,
        )

    def _introduction(self) -> cloudwatch.TextWidget:
        return cloudwatch.TextWidget(
            markdown=(
                "# Tennis-court booking, pattern by pattern\n"
                f"Patterns {', '.join(self.pattern_ids)}, measured by each /chat function on "
                f"every turn (namespace `{self.namespace}`, dimension `pattern`). "
                "Bars compare the patterns over the selected time range; lines show when. "
                "A pattern with no turns in the range has no bar. Only answered turns count "
                "in the per-turn figures; refused or failed requests are in *Errors by status*."
            ),
            width=FULL_WIDTH,
            height=2,
        )

    def _comparison(
        self,
        title: str,
        metric_name: str,
        axis_label: str,
        *,
        statistic: str = cloudwatch.Stats.AVERAGE,
    ) -> cloudwatch.GraphWidget:
        return cloudwatch.GraphWidget(
            title=title,
            left=[self.metric(metric_name, p, statistic) for p in self.pattern_ids],
            left_y_axis=cloudwatch.YAxisProps(label=axis_label, show_units=False, min=0),
            view=cloudwatch.GraphWidgetView.BAR,
            set_period_to_time_range=True,
            width=FULL_WIDTH // 3,
            height=CHART_HEIGHT,
        )

    def _turn_duration(self, *, percentile: int) -> cloudwatch.GraphWidget:
        statistic = cloudwatch.Stats.p(percentile)
        return cloudwatch.GraphWidget(
            title=f"Turn duration {statistic} (ms)",
            left=[self.metric("TurnDuration", p, statistic) for p in self.pattern_ids],
            left_y_axis=cloudwatch.YAxisProps(label="ms", show_units=False, min=0),
            width=FULL_WIDTH // 2,
            height=CHART_HEIGHT,
        )

    def _errors_by_status(self) -> cloudwatch.GraphWidget:
        # A search finds every (pattern, status) pair that occurred; the label names both.
        search = (
            f"SEARCH('{{{self.namespace},pattern,service,status}} MetricName=\"Errors\"', "
            f"'Sum', {int(TIME_SERIES_PERIOD.to_seconds())})"
        )
        return cloudwatch.GraphWidget(
            title="Errors by status",
            left=[
                cloudwatch.MathExpression(
                    expression=search,
                    label="${PROP('Dim.pattern')} ${PROP('Dim.status')}",
                    period=TIME_SERIES_PERIOD,
                )
            ],
            left_y_axis=cloudwatch.YAxisProps(label="Error responses", show_units=False, min=0),
            stacked=True,
            width=FULL_WIDTH,
            height=CHART_HEIGHT,
        )
