"""Names, defaults and the context keys that override them: the one place the stacks read
configuration from.

Every default here is mirrored in `cdk.json` (so `cdk context` shows it) and can be overridden
per command: `npx cdk deploy PatternA -c public=true -c openai_model=gpt-5`. Context given on
the command line arrives as a string, so booleans are parsed, not truthiness-tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from settings import Settings
from stacks import timeouts

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LAMBDAS_DIR = PROJECT_ROOT / "lambdas"
SHARED_LAYER_DIR = PROJECT_ROOT / "shared_layer"  # holds python/…, the layout Lambda expects
BUILD_CACHE_DIR = PROJECT_ROOT / ".patterns" / "build-cache"

PROJECT_TAG = "ai-orchestration-patterns"
METRICS_NAMESPACE = Settings.default("powertools_metrics_namespace")

# One runtime for every function and both layers: the dependencies layer's wheels are built
# for exactly this interpreter and architecture, so change them together, here.
RUNTIME = lambda_.Runtime.PYTHON_3_13
PYTHON_VERSION = "3.13"
ARCHITECTURE = lambda_.Architecture.ARM_64
WHEEL_PLATFORM = "aarch64-manylinux2014"  # `uv pip install --python-platform` for ARM_64

# Inside the chat API's integration timeout: the whole chain is in stacks/timeouts.py.
DEFAULT_FUNCTION_TIMEOUT = Duration.seconds(timeouts.API_FUNCTION_SECONDS)
DEFAULT_FUNCTION_MEMORY_MB = 512
# A function that runs the OpenAI Agents SDK (E, F, G): CPU scales with memory, and importing
# the Agents SDK dominates its cold start.
AGENTS_SDK_MEMORY_MB = 1024
LOG_RETENTION = logs.RetentionDays.ONE_MONTH

# Stage-wide throttling for the chat API: a demo must not become an open-ended OpenAI bill.
DEFAULT_THROTTLE_RATE_LIMIT = 10  # steady-state requests per second
DEFAULT_THROTTLE_BURST_LIMIT = 20

# Context keys (cdk.json "context", or `-c key=value`).
CTX_PUBLIC = "public"
CTX_RETAIN_DATA = "retain_data"
CTX_OPENAI_SECRET_NAME = "openai_secret_name"
CTX_OPENAI_MODEL = "openai_model"
CTX_COURT_TIMEZONE = "court_timezone"
CTX_BEDROCK_MODEL = "bedrock_model"
CTX_H_ENGINE = "h_engine"
CTX_MAX_ACTIVE_BOOKINGS = "max_active_bookings"
CTX_MAX_BOOKINGS_PER_TURN = "max_bookings_per_turn"
CTX_MAX_CANCELLATIONS_PER_TURN = "max_cancellations_per_turn"
CTX_MAX_CONCURRENCY = "max_concurrency"
CTX_SNAPSTART = "snapstart"

DEFAULT_OPENAI_SECRET_NAME = "patterns/openai-api-key"
DEFAULT_OPENAI_MODEL = Settings.default("openai_model")
DEFAULT_COURT_TIMEZONE = Settings.default("court_timezone")
# Pattern H's model: Amazon Nova Pro through the US cross-Region inference profile. Bedrock
# enables Amazon's models on first use with no use-case form (Anthropic's need one); Bedrock
# Agents supports every Bedrock model, and the AgentCore harness takes any Bedrock model or
# profile id that speaks Converse with tool use, as Nova does. Outside the US: `eu.` / `apac.`
# profiles; Claude: `-c bedrock_model=us.anthropic.claude-haiku-4-5-20251001-v1:0`.
DEFAULT_BEDROCK_MODEL = "us.amazon.nova-pro-v1:0"
DEFAULT_H_ENGINE = "bedrock_agent"
# Side effects a caller (and a model acting for one) may cause: upcoming bookings held at once,
# and writes in one request where a model picks the operation (D-H). The runtime's defaults
# (settings.Settings), so a stack deployed without context behaves as the code does locally.
DEFAULT_MAX_ACTIVE_BOOKINGS = Settings.default("max_active_bookings")
DEFAULT_MAX_BOOKINGS_PER_TURN = Settings.default("max_bookings_per_turn")
DEFAULT_MAX_CANCELLATIONS_PER_TURN = Settings.default("max_cancellations_per_turn")
# Reserved concurrency per function: off (0) by default, because a new account's low
# concurrency quota rejects reserved concurrency at deploy time.
DEFAULT_MAX_CONCURRENCY = 0
# Lambda SnapStart (`-c snapstart=`): `none`, `all`, or the patterns to snapshot, e.g. `E,F,G`.
# Every function of a listed pattern runs from a snapshot of its initialised state, taken when
# a version is published, behind a `live` alias that its callers invoke. On by default where
# the Agents SDK's import dominates the cold start (E, F, G); the README's "SnapStart" section
# has the figures and the cost.
PATTERN_IDS = ("A", "B", "C", "D", "E", "F", "G", "H")
DEFAULT_SNAPSTART = "E,F,G"

CONTEXT_DEFAULTS: dict[str, object] = {
    CTX_PUBLIC: False,
    CTX_RETAIN_DATA: False,
    CTX_OPENAI_SECRET_NAME: DEFAULT_OPENAI_SECRET_NAME,
    CTX_OPENAI_MODEL: DEFAULT_OPENAI_MODEL,
    CTX_COURT_TIMEZONE: DEFAULT_COURT_TIMEZONE,
    CTX_BEDROCK_MODEL: DEFAULT_BEDROCK_MODEL,
    CTX_H_ENGINE: DEFAULT_H_ENGINE,
    CTX_MAX_ACTIVE_BOOKINGS: DEFAULT_MAX_ACTIVE_BOOKINGS,
    CTX_MAX_BOOKINGS_PER_TURN: DEFAULT_MAX_BOOKINGS_PER_TURN,
    CTX_MAX_CANCELLATIONS_PER_TURN: DEFAULT_MAX_CANCELLATIONS_PER_TURN,
    CTX_MAX_CONCURRENCY: DEFAULT_MAX_CONCURRENCY,
    CTX_SNAPSTART: DEFAULT_SNAPSTART,
}

AUTH_MODE_IAM = "iam"
AUTH_MODE_PUBLIC = "public"


def _as_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes"}:
        return True
    if text in {"false", "0", "no", ""}:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _as_count(value: object, key: str, *, minimum: int = 1) -> int:
    try:
        count = int(str(value).strip())
    except ValueError:
        raise ValueError(f"-c {key} must be a whole number, got {value!r}") from None
    if count < minimum:
        raise ValueError(f"-c {key} must be at least {minimum}, got {count}")
    return count


def _as_patterns(value: object, key: str) -> frozenset[str]:
    """`none`, `all`, or pattern ids separated by commas or spaces (`E,F,G`, `e f`)."""
    text = str(value).strip().upper()
    if text in {"NONE", "", "FALSE"}:
        return frozenset()
    if text == "ALL":
        return frozenset(PATTERN_IDS)
    ids = frozenset(text.replace(",", " ").split())
    unknown = sorted(ids - set(PATTERN_IDS))
    if unknown:
        raise ValueError(
            f"-c {key} must be none, all or pattern ids such as E,F,G; unknown: {unknown}"
        )
    return ids


@dataclass(frozen=True, kw_only=True)
class PatternSettings:
    """The deploy-time choices every pattern stack reads, resolved from context once."""

    public: bool
    retain_data: bool
    openai_secret_name: str
    openai_model: str
    court_timezone: str
    bedrock_model: str
    h_engine: str
    max_active_bookings: int = DEFAULT_MAX_ACTIVE_BOOKINGS
    max_bookings_per_turn: int = DEFAULT_MAX_BOOKINGS_PER_TURN
    max_cancellations_per_turn: int = DEFAULT_MAX_CANCELLATIONS_PER_TURN
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY  # 0: no reserved concurrency
    snapstart: frozenset[str] = frozenset()  # the patterns whose functions use SnapStart

    @property
    def auth_mode(self) -> str:
        return AUTH_MODE_PUBLIC if self.public else AUTH_MODE_IAM

    @classmethod
    def from_context(cls, scope: Construct) -> PatternSettings:
        node = scope.node  # one round trip to the jsii kernel, not one per key

        def get(key: str) -> object:
            value = node.try_get_context(key)
            return CONTEXT_DEFAULTS[key] if value is None else value

        return cls(
            public=_as_bool(get(CTX_PUBLIC)),
            retain_data=_as_bool(get(CTX_RETAIN_DATA)),
            openai_secret_name=str(get(CTX_OPENAI_SECRET_NAME)),
            openai_model=str(get(CTX_OPENAI_MODEL)),
            court_timezone=str(get(CTX_COURT_TIMEZONE)),
            bedrock_model=str(get(CTX_BEDROCK_MODEL)),
            h_engine=str(get(CTX_H_ENGINE)),
            max_active_bookings=_as_count(get(CTX_MAX_ACTIVE_BOOKINGS), CTX_MAX_ACTIVE_BOOKINGS),
            max_bookings_per_turn=_as_count(
                get(CTX_MAX_BOOKINGS_PER_TURN), CTX_MAX_BOOKINGS_PER_TURN
            ),
            max_cancellations_per_turn=_as_count(
                get(CTX_MAX_CANCELLATIONS_PER_TURN), CTX_MAX_CANCELLATIONS_PER_TURN
            ),
            max_concurrency=_as_count(get(CTX_MAX_CONCURRENCY), CTX_MAX_CONCURRENCY, minimum=0),
            snapstart=_as_patterns(get(CTX_SNAPSTART), CTX_SNAPSTART),
        )
