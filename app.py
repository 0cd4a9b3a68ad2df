#!/usr/bin/env python3
"""The CDK app: one stack per orchestration pattern, checked by cdk-nag.

    npx cdk synth PatternA          # cdk.json runs this file through `uv run --frozen`
    npx cdk deploy PatternA -c public=true

Adding a pattern is one line in `PATTERN_STACKS`. Every stack deploys alone and is tagged
`project` and `pattern`. `PatternsDashboard` shows the patterns' published metrics side by side.

The stacks import the shared layer's and the handlers' pure modules (`booking.table`,
`pattern_h.schema`) through the project's editable install (`dev-mode-dirs` in pyproject), so
the app runs under `uv run` (as cdk.json does) or the project's `.venv` python.
"""

from __future__ import annotations

from aws_cdk import App, Stack, Tags

from stacks.constants import PROJECT_TAG
from stacks.constructs.nag import add_compliance_checks, require_strict_validation
from stacks.dashboard_stack import PatternsDashboardStack
from stacks.pattern_a_stack import PatternAStack
from stacks.pattern_b_stack import PatternBStack
from stacks.pattern_c_stack import PatternCStack
from stacks.pattern_d_stack import PatternDStack
from stacks.pattern_e_stack import PatternEStack
from stacks.pattern_f_stack import PatternFStack
from stacks.pattern_g_stack import PatternGStack
from stacks.pattern_h_stack import PatternHStack

PATTERN_STACKS: dict[str, type[Stack]] = {
    "PatternA": PatternAStack,
    "PatternB": PatternBStack,
    "PatternC": PatternCStack,
    "PatternD": PatternDStack,
    "PatternE": PatternEStack,
    "PatternF": PatternFStack,
    "PatternG": PatternGStack,
    "PatternH": PatternHStack,
}
DASHBOARD_STACK_ID = "PatternsDashboard"


def build_app(app: App | None = None, *, stack_ids: list[str] | None = None) -> App:
    """Add the stacks (all, or `stack_ids`), tags and cdk-nag to `app`."""
    app = app or App()
    require_strict_validation(app)
    Tags.of(app).add("project", PROJECT_TAG)
    for stack_id in stack_ids or [*PATTERN_STACKS, DASHBOARD_STACK_ID]:
        if stack_id == DASHBOARD_STACK_ID:
            PatternsDashboardStack(
                app,
                stack_id,
                pattern_ids=[pattern.removeprefix("Pattern") for pattern in PATTERN_STACKS],
            )
            continue
        stack = PATTERN_STACKS[stack_id](app, stack_id)
        Tags.of(stack).add("pattern", stack_id.removeprefix("Pattern"))
    add_compliance_checks(app)
    return app


if __name__ == "__main__":
    build_app().synth()
