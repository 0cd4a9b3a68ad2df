"""`pattern_core.contract.metrics.publish_error`: the EMF line an error response logs."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools import Metrics

from pattern_core.contract.metrics import publish_error


def _emf_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]


@pytest.fixture
def metrics_on(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "PatternsUnderTest")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "pattern-d")


def test_an_error_is_one_count_by_pattern_and_status_with_its_code(metrics_on, capsys):
    publish_error("D", 504, "deadline_exceeded")

    (blob,) = _emf_lines(capsys)
    (directive,) = blob["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "PatternsUnderTest"
    assert sorted(directive["Dimensions"][0]) == ["pattern", "service", "status"]
    assert directive["Metrics"] == [{"Name": "Errors", "Unit": "Count"}]
    assert (blob["pattern"], blob["status"], blob["service"]) == ("D", "504", "pattern-d")
    assert blob["Errors"] == [1.0]
    # The code is a property for Logs Insights, not a dimension (it would multiply metrics).
    assert blob["code"] == "deadline_exceeded"


def test_each_error_is_its_own_data_point_and_nothing_carries_over(metrics_on, capsys):
    publish_error("D", 422, "validation_error")
    publish_error("A", 502, "model_error")

    first, second = _emf_lines(capsys)
    assert (first["pattern"], first["status"], first["code"]) == ("D", "422", "validation_error")
    assert (second["pattern"], second["status"], second["code"]) == ("A", "502", "model_error")
    assert first["Errors"] == second["Errors"] == [1.0]


def test_with_metrics_disabled_nothing_is_printed_or_kept(monkeypatch, capsys):
    # Given metrics switched off, as in local runs and the test suite
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")

    publish_error("B", 500, "internal_error")

    # Then no EMF line is printed and the (class-wide) metric set is left empty, so a
    # long-lived local server does not accumulate one entry per error.
    assert _emf_lines(capsys) == []
    leftover = Metrics()
    assert (leftover.metric_set, leftover.metadata_set) == ({}, {})


@pytest.mark.parametrize("status", [200, 302, 99, 600])
def test_a_status_that_is_not_an_error_is_refused(metrics_on, capsys, status):
    with pytest.raises(ValueError, match="4xx or 5xx"):
        publish_error("A", status, "ok")
    assert _emf_lines(capsys) == []
