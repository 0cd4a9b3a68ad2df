"""cdk-nag for the whole app, set up so that any finding nobody acknowledged fails the synth.

cdk-nag 3 is a CDK policy-validation plugin (`Validations.of(app).add_plugins(...)`), not an
Aspect: its findings go into the cloud assembly's `validation-report.json`. A rule pack's
report fails as soon as it holds one unacknowledged finding, ERROR or WARN level alike, and a
failed report fails `npx cdk synth` / `cdk deploy` (the CLI reads the report) as well as an
in-process `app.synth()` (tests, `python app.py`, which raise `ValidationFailed`).

What is left are CDK's own construct warnings (deprecations, "this will not work in…"), which
the feature flag `@aws-cdk/core:annotationsInValidationReport` puts in the report, as
warnings that do not fail it. To make those fatal too:

- in process: the context `@aws-cdk/core:strictCfnValidateErrors` makes any warning in any
  report fail the synth. Both are set below, so the gate does not depend on cdk.json being
  read (a plain `python app.py`, a test building its own `App`);
- through the CLI: `--strict` (`npm run synth -- PatternA`, `npm run deploy -- PatternA` pass
  it). The CLI decides for itself — it tells the app not to throw and reads the report — and
  `"strict"` is not a setting cdk.json can carry, hence the npm scripts.

A finding is accepted only with `Validations.of(construct).acknowledge(Acknowledgment(id=…,
reason=…))` on the narrowest construct it applies to, with the finding's own id
(`AwsSolutions-IAM5[Resource::*]`, not the whole rule) and a reason that says why it is safe.
The infrastructure tests assert that the rule pack reports nothing and that no construct
carries a warning or error annotation.
"""

from __future__ import annotations

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks

STRICT_VALIDATION_CONTEXT = "@aws-cdk/core:strictCfnValidateErrors"
ANNOTATIONS_IN_REPORT_FLAG = "@aws-cdk/core:annotationsInValidationReport"


def require_strict_validation(app: App) -> None:
    """Must run before any stack is added (context cannot change once children exist)."""
    app.node.set_context(ANNOTATIONS_IN_REPORT_FLAG, True)
    app.node.set_context(STRICT_VALIDATION_CONTEXT, True)


def add_compliance_checks(app: App) -> None:
    """Run the AWS Solutions rule pack over every stack in the app."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
