"""One pattern Lambda function: its code package, both layers, logs, tracing and its own role.

The code asset is `lambdas/` with everything except the pattern's own package excluded, so
`lambdas/pattern_a/handler.py` deploys as `pattern_a/handler.py` and the handler string is
`pattern_a.handler.handler` — the same import path the local runtime and the tests use.

The role is created here, not by `lambda.Function`, so it carries no AWS managed policy
(AwsSolutions-IAM4): instead of `AWSLambdaBasicExecutionRole` (CreateLogGroup/PutLogEvents on
every log group in the account) it may write to its own log group only. Everything else the
function may do is granted by the stack (`table.grant_booking_access(fn)`,
`secret.grant_read(fn)`).

**SnapStart** (`-c snapstart=`, `stacks/constants.py`): for a listed pattern the function runs
from a snapshot taken when a version is published, and `invocable` is the `live` alias on
that version — what the chat API, the state machine, the manager and the managed agent invoke
(the unpublished `$LATEST` never runs from a snapshot). Otherwise `invocable` is the function
itself and the template is exactly what it was without the option. A version replaced by the
next deploy is deleted, so no stale snapshot stays cached (and billed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import (
    Acknowledgment,
    Annotations,
    Duration,
    RemovalPolicy,
    Stack,
    Validations,
)
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from settings import Settings
from stacks import timeouts
from stacks.constants import (
    ARCHITECTURE,
    DEFAULT_FUNCTION_MEMORY_MB,
    DEFAULT_FUNCTION_TIMEOUT,
    LAMBDAS_DIR,
    METRICS_NAMESPACE,
    PYTHON_VERSION,
    RUNTIME,
    PatternSettings,
)
from stacks.constructs.log_groups import log_group


def runtime_environment(
    settings: PatternSettings, *, table_name: str, secret_arn: str
) -> dict[str, str]:
    """What the shared layer reads at run time (`booking.schedule`, `booking.store`,
    `pattern_core.model.client`, `pattern_core.contract.http`): names and ARNs, never a secret
    value."""
    return Settings.environment(
        bookings_table_name=table_name,
        court_timezone=settings.court_timezone,
        openai_model=settings.openai_model,
        openai_api_key_secret_arn=secret_arn,
        # Named in the 503 a missing or empty secret gets (with the command that creates it).
        openai_api_key_secret_name=settings.openai_secret_name,
        # One model call's cap; the request's deadline may allow less (`llm.call_options`).
        openai_timeout_seconds=timeouts.MODEL_CALL_SECONDS,
        auth_mode=settings.auth_mode,
    ) | side_effect_limits(settings)


def add_settings(function: lambda_.Function, **values: object) -> None:
    """Give `function` these run-time settings (`settings.Settings` field names)."""
    for name, value in Settings.environment(**values).items():
        function.add_environment(name, value)


def side_effect_limits(settings: PatternSettings) -> dict[str, str]:
    """The booking rules' limits (`booking.service`, `booking.effects`), from context."""
    return Settings.environment(
        max_active_bookings=settings.max_active_bookings,
        max_bookings_per_turn=settings.max_bookings_per_turn,
        max_cancellations_per_turn=settings.max_cancellations_per_turn,
    )


def pattern_code(package: str) -> lambda_.Code:
    """`lambdas/<package>/` only (no other pattern's code, no bytecode)."""
    return lambda_.Code.from_asset(
        str(LAMBDAS_DIR),
        exclude=["*", f"!{package}", f"!{package}/**", "**/__pycache__", "**/*.pyc"],
    )


LIVE_ALIAS = "live"


def _snap_start_options(on: bool) -> dict:
    """SnapStart on published versions; each deploy deletes the version it replaces. (Off, no
    option at all: the template stays what it was.)"""
    if not on:
        return {}
    return {
        "snap_start": lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS,
        "current_version_options": lambda_.VersionOptions(removal_policy=RemovalPolicy.DESTROY),
    }


def _settings_of(scope: Construct) -> PatternSettings:
    """The settings the enclosing pattern stack already resolved (`PatternStack.settings`),
    else resolved from `scope`'s context."""
    settings = getattr(Stack.of(scope), "settings", None)
    if isinstance(settings, PatternSettings):
        return settings
    return PatternSettings.from_context(scope)


class PatternFunction(Construct):
    """A Python 3.13 / arm64 function with X-Ray tracing and a one-month log group."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        pattern_id: str,
        package: str,
        layers: Sequence[lambda_.ILayerVersion],
        environment: Mapping[str, str],
        handler: str = "handler.handler",
        description: str | None = None,
        memory_size: int = DEFAULT_FUNCTION_MEMORY_MB,
        timeout: Duration = DEFAULT_FUNCTION_TIMEOUT,
        retain_logs: bool = False,
    ) -> None:
        super().__init__(scope, id_)
        self.log_group = log_group(self, "Logs", retain=retain_logs)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Pattern {pattern_id} function {id_}: its log group, then stack grants",
        )
        settings = _settings_of(self)
        self.snap_start = pattern_id in settings.snapstart
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            code=pattern_code(package),
            handler=f"{package}.{handler}",
            layers=list(layers),
            role=self.role,
            log_group=self.log_group,
            tracing=lambda_.Tracing.ACTIVE,
            memory_size=memory_size,
            timeout=timeout,
            # `-c max_concurrency=N` caps every function at N concurrent executions; 0 (the
            # default) sets none: a new account's low concurrency quota rejects reservations.
            reserved_concurrent_executions=settings.max_concurrency or None,
            description=description or f"Pattern {pattern_id}: {package}.{handler}",
            environment={
                "PATTERN_ID": pattern_id,
                "POWERTOOLS_SERVICE_NAME": f"pattern-{pattern_id.lower()}",
                **Settings.environment(powertools_metrics_namespace=METRICS_NAMESPACE),
                "POWERTOOLS_LOG_LEVEL": "INFO",
                # Chat replies carry users' bookings: keep them out of X-Ray metadata.
                "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
                # The Agents SDK would otherwise export traces (prompts included) to OpenAI.
                **Settings.environment(openai_agents_disable_tracing=1),
                **environment,
            },
            **_snap_start_options(self.snap_start),
        )
        self.alias = (
            lambda_.Alias(
                self,
                "Live",
                alias_name=LIVE_ALIAS,
                version=self.function.current_version,
                description="The published version (a SnapStart snapshot) that callers invoke",
            )
            if self.snap_start
            else None
        )
        if self.snap_start:
            # CDK warns that SnapStart applies to published versions only: the alias above
            # publishes one, and nothing invokes `$LATEST`.
            Annotations.of(self.function).acknowledge_warning(
                "@aws-cdk/aws-lambda:snapStartRequirePublish",
                "The live alias publishes the version that every caller invokes.",
            )
        # With an explicit role, the function no longer adds logging permissions itself.
        self.log_group.grant_write(self.role)

        Validations.of(self.role).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason=(
                    "Only xray:PutTraceSegments and xray:PutTelemetryRecords (added for "
                    "Tracing.ACTIVE) use Resource '*': X-Ray defines no resource types for "
                    "them, so they cannot be scoped further."
                ),
            )
        )
        Validations.of(self.function).acknowledge(
            Acknowledgment(
                id="AwsSolutions-L1",
                reason=(
                    f"Pinned to python{PYTHON_VERSION} on purpose: the dependencies layer is "
                    "built from cp313 wheels and the runtime, architecture and wheel platform "
                    "are changed together in stacks/constants.py."
                ),
            )
        )

    @property
    def invocable(self) -> lambda_.IFunction:
        """What callers invoke: the `live` alias with SnapStart, else the function itself."""
        return self.alias or self.function
