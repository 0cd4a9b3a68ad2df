"""CloudWatch metrics for failed requests: one `Errors` data point per error response.

The successful turns' figures are published by `http.publish_turn_metrics`; this module covers
the other half, so the `PatternsDashboard` stack can show each pattern's errors next to its
turns. Both go out the same way: Powertools Metrics as EMF lines in the function's log, in the
namespace `POWERTOOLS_METRICS_NAMESPACE`, with the dimension `pattern` (plus the `service`
dimension Powertools adds from `POWERTOOLS_SERVICE_NAME`).

`Errors` carries the HTTP status as a dimension, so the dashboard can split errors by status
(a 422 is a caller's mistake, a 504 is the pattern being too slow). The error code
(`validation_error`, `deadline_exceeded`, …) rides along as an EMF property, not a
dimension: it is queryable in CloudWatch Logs Insights without multiplying metrics.
"""

from __future__ import annotations

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from settings import Settings

ERRORS_METRIC = "Errors"
STATUS_DIMENSION = "status"


def publish_error(pattern: str, status: int, code: str) -> None:
    """Count one error response of `pattern` with HTTP `status` (e.g. 504) and `code`."""
    if not 400 <= status <= 599:
        # Only error responses are counted; a 2xx/3xx here is a caller's bug, and a metric
        # with such a status would make the dashboard's error panel lie.
        raise ValueError(f"an error response has a 4xx or 5xx status, got {status}")
    metrics = Metrics(namespace=Settings.from_env().powertools_metrics_namespace)
    metrics.add_dimension("pattern", pattern)
    metrics.add_dimension(STATUS_DIMENSION, str(status))
    metrics.add_metadata("code", code)
    metrics.add_metric(name=ERRORS_METRIC, unit=MetricUnit.Count, value=1)
    metrics.flush_metrics()
    # With POWERTOOLS_METRICS_DISABLED (local runs, tests) flush prints nothing and keeps the
    # set; clear it so a long-lived process does not accumulate every error's metric.
    metrics.clear_metrics()
