"""PatternsDashboard's template: every pattern in every panel, reading exactly the metrics the
pattern functions publish, deployable alone (cdk-nag: test_compliance.py).

The drift test runs the real publishing code (`publish_turn_metrics`, `publish_error`) with the
environment of PatternA's synthesized function and compares the EMF it prints with what the
dashboard asks CloudWatch for: a renamed metric, a changed namespace or an extra dimension on
either side fails here instead of showing as an empty panel after a deploy.
"""

from __future__ import annotations

import json
import re

import pytest
from aws_cdk.assertions import Match

from app import DASHBOARD_STACK_ID, PATTERN_STACKS, build_app
from pattern_core.contract.http import publish_turn_metrics
from pattern_core.contract.metrics import publish_error
from stacks.constants import METRICS_NAMESPACE
from tests.infrastructure.conftest import Synthesized, new_app, synthesized

PATTERN_IDS = [stack_id.removeprefix("Pattern") for stack_id in PATTERN_STACKS]
DEFAULT_STAT = "Average"  # what CloudWatch uses for a metric whose options name no stat


class SynthesizedDashboard:
    """The dashboard stack (the shared synth) with its one dashboard's body parsed."""

    def __init__(self, synthesized: Synthesized) -> None:
        self.stack = synthesized.stack
        self.template = synthesized.template
        self.json = synthesized.json
        ((self.logical_id, resource),) = self.json["Resources"].items()
        self.resource = resource
        self.body = _dashboard_body(resource["Properties"]["DashboardBody"])

    def metric_widgets(self) -> list[dict]:
        return [w["properties"] for w in self.body["widgets"] if w["type"] == "metric"]

    def widget(self, title: str) -> dict:
        (widget,) = [w for w in self.metric_widgets() if w["title"] == title]
        return widget


def _dashboard_body(body) -> dict:
    """The body JSON, with the stack's region (the only token in it) written as REGION."""
    if isinstance(body, str):
        return json.loads(body)
    (parts,) = body["Fn::Join"][1:]
    return json.loads(
        "".join(p if isinstance(p, str) else _region_ref(p) for p in parts),
    )


def _region_ref(part: dict) -> str:
    assert part == {"Ref": "AWS::Region"}, f"unexpected token in the dashboard body: {part}"
    return "REGION"


def _plain_metrics(widget: dict) -> list[dict]:
    """`[namespace, name, dim, value, …, {options}]` rows as dicts (search rows left out)."""
    rows = []
    for row in widget["metrics"]:
        *fields, options = row if isinstance(row[-1], dict) else [*row, {}]
        if "expression" in options:
            continue
        namespace, name, *pairs = fields
        rows.append(
            {
                "namespace": namespace,
                "name": name,
                "dimensions": dict(zip(pairs[::2], pairs[1::2], strict=True)),
                "stat": options.get("stat", widget.get("stat", DEFAULT_STAT)),
                "label": options.get("label"),
            }
        )
    return rows


def _searches(widget: dict) -> list[dict]:
    return [row[-1] for row in widget["metrics"] if "expression" in row[-1]]


@pytest.fixture(scope="module")
def dashboard() -> SynthesizedDashboard:
    return SynthesizedDashboard(synthesized(DASHBOARD_STACK_ID))


def test_the_app_deploys_the_dashboard_next_to_the_pattern_stacks():
    app = build_app(new_app())
    assert [
        child.node.id for child in app.node.children if child.node.id.startswith("Pattern")
    ] == [
        *PATTERN_STACKS,
        DASHBOARD_STACK_ID,
    ]


def test_the_stack_is_one_dashboard_that_needs_no_other_stack(dashboard):
    assert dashboard.resource["Type"] == "AWS::CloudWatch::Dashboard"
    assert dashboard.resource["Properties"]["DashboardName"] == DASHBOARD_STACK_ID
    flat = json.dumps(dashboard.json)
    assert "Fn::ImportValue" not in flat
    assert dashboard.stack.dependencies == []
    dashboard.template.has_output("DashboardUrl", {"Value": Match.any_value()})


def test_every_metric_panel_has_one_line_per_pattern_in_app_order(dashboard):
    widgets = [w for w in dashboard.metric_widgets() if _plain_metrics(w)]
    assert len(widgets) >= 8
    for widget in widgets:
        rows = _plain_metrics(widget)
        assert [row["label"] for row in rows] == PATTERN_IDS, widget["title"]
        assert [row["dimensions"]["pattern"] for row in rows] == PATTERN_IDS, widget["title"]
        assert {row["namespace"] for row in rows} == {METRICS_NAMESPACE}
        assert len({row["name"] for row in rows}) == 1, "one figure per panel"


def test_turn_duration_is_shown_at_p50_and_p95(dashboard):
    duration_stats = {
        row["stat"]
        for widget in dashboard.metric_widgets()
        for row in _plain_metrics(widget)
        if row["name"] == "TurnDuration"
    }
    assert {"p50", "p95"} <= duration_stats
    assert dashboard.widget("Turn duration p95 (ms)")["metrics"][0][-1]["stat"] == "p95"


def test_per_turn_comparisons_are_averages_over_the_whole_time_range(dashboard):
    for title, name in [
        ("LLM calls per turn", "LLMCalls"),
        ("Input tokens per turn", "InputTokens"),
        ("Output tokens per turn", "OutputTokens"),
        ("Tool calls per turn", "ToolCalls"),
        ("Lambda invocations per turn", "LambdaInvocations"),
        ("State transitions per turn", "StateTransitions"),
    ]:
        widget = dashboard.widget(title)
        assert (widget["view"], widget["setPeriodToTimeRange"]) == ("bar", True), title
        assert {(row["name"], row["stat"]) for row in _plain_metrics(widget)} == {(name, "Average")}
    for title, name in [("Courts booked", "Bookings"), ("Bookings cancelled", "Cancellations")]:
        widget = dashboard.widget(title)
        assert {(row["name"], row["stat"]) for row in _plain_metrics(widget)} == {(name, "Sum")}
    assert {row["stat"] for row in _plain_metrics(dashboard.widget("Turns answered"))} == {
        "SampleCount"
    }


def test_the_dashboard_reads_exactly_the_metrics_the_pattern_functions_publish(
    dashboard, pattern_a, monkeypatch, capsys
):
    # Given the environment PatternA's deployed function runs with
    variables = next(
        function["Properties"]["Environment"]["Variables"]
        for function in pattern_a.resources("AWS::Lambda::Function").values()
        if "PATTERN_ID" in function["Properties"].get("Environment", {}).get("Variables", {})
    )
    for key in ("POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"):
        monkeypatch.setenv(key, variables[key])
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    pattern = variables["PATTERN_ID"]

    # When a turn with every figure observed is published, and an error response
    usage = {
        "llm_calls": 2,
        "tool_calls": ["check_availability", "book_slot"],
        "input_tokens": 812,
        "output_tokens": 64,
        "lambda_invocations": 1,
        "state_transitions": 3,
        "duration_ms": 1840,
    }
    publish_turn_metrics(pattern, usage, bookings=2, cancellations=1)
    publish_error(pattern, 504, "deadline_exceeded")
    turn, error = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line
    ]

    # Then the dashboard asks for every turn metric, in that namespace with those dimensions
    (turn_directive,) = turn["_aws"]["CloudWatchMetrics"]
    (turn_dimensions,) = turn_directive["Dimensions"]
    published = {
        (
            turn_directive["Namespace"],
            metric["Name"],
            json.dumps({key: turn[key] for key in sorted(turn_dimensions)}),
        )
        for metric in turn_directive["Metrics"]
    }
    shown = {
        (row["namespace"], row["name"], json.dumps(dict(sorted(row["dimensions"].items()))))
        for widget in dashboard.metric_widgets()
        for row in _plain_metrics(widget)
        if row["dimensions"]["pattern"] == pattern
    }
    assert shown == published
    # counts, not flags: the dashboard sums them into courts booked and bookings cancelled
    assert (turn["Bookings"], turn["Cancellations"]) == ([2.0], [1.0])

    # And its error search names the Errors metric's exact dimension set
    (error_directive,) = error["_aws"]["CloudWatchMetrics"]
    (error_dimensions,) = error_directive["Dimensions"]
    (search,) = _searches(dashboard.widget("Errors by status"))
    schema, metric_name = re.fullmatch(
        r"SEARCH\('\{([^}]*)\} MetricName=\"(\w+)\"', 'Sum', \d+\)", search["expression"]
    ).groups()
    namespace, *dimensions = schema.split(",")
    assert namespace == error_directive["Namespace"]
    assert [metric_name] == [m["Name"] for m in error_directive["Metrics"]]
    assert sorted(dimensions) == sorted(error_dimensions)


def test_errors_are_split_by_pattern_and_status(dashboard):
    (search,) = _searches(dashboard.widget("Errors by status"))
    assert "Dim.pattern" in search["label"] and "Dim.status" in search["label"]
