"""What a function reads from its environment at run time: one typed model, one spelling per name.

Every runtime module (`booking`, `pattern_core`, the handlers) reads `Settings.from_env()`
instead of `os.environ`, and the CDK constructs write a function's environment with
`Settings.environment(field=value, …)`, so a name such as `bookings_table_name` is spelled once:
the environment key is the field name in capitals (`BOOKINGS_TABLE_NAME`). This module imports
only pydantic, so `booking` (which must not import `pattern_core`), the stacks at synth time and
the local runtime can all read it.

A variable that is unset or empty takes the field's default. Settings are read afresh on each
call (a dict lookup per field): what must be built once per container is cached by
`pattern_core.collaborators`, never here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator


class MissingSetting(KeyError):
    """A setting the code needs has no value in this function's environment."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    # -- the booking domain (booking.store, booking.service, booking.effects) --------------
    bookings_table_name: str | None = None
    max_active_bookings: int = 5  # upcoming bookings one caller may hold
    max_bookings_per_turn: int = 2  # writes one request may make where a model picks them
    max_cancellations_per_turn: int = 2
    # -- the schedule (booking.schedule) ---------------------------------------------------
    court_timezone: str = "UTC"
    patterns_today: str | None = None  # pins "today" (YYYY-MM-DD or ISO date-time): demos
    courts: str | None = None  # comma-separated; None: the schedule's default courts
    slot_start_times: str | None = None  # comma-separated HH:MM
    slot_minutes: int = 60
    booking_window_days: int = 6
    # -- the model (pattern_core.model.client, pattern_core.agent_runtime.runtime) ----------
    openai_model: str = "gpt-5-mini"
    openai_api_key: SecretStr | None = None  # local runs; deployed, the key is in a secret
    openai_api_key_secret_arn: str | None = None
    openai_api_key_secret_name: str | None = None  # named in the 503 when the secret is empty
    openai_timeout_seconds: float = 20  # one model call's own cap
    openai_max_retries: int = 1
    openai_strict_responses: bool = True
    openai_agents_disable_tracing: bool = True
    # -- the HTTP contract (pattern_core.contract) ------------------------------------------
    auth_mode: str = "iam"
    powertools_metrics_namespace: str = "AiOrchestrationPatterns"
    idempotency_table_name: str | None = None
    # -- conversation memory (pattern_core.agent_runtime.sessions) -------------------------
    sessions_table_name: str | None = None
    session_ttl_hours: float | None = None
    # -- patterns C, G and H: what their API function calls, and how long it waits -------
    state_machine_arn: str | None = None
    sfn_read_timeout_seconds: float = 24
    availability_specialist_function: str | None = None
    booking_specialist_function: str | None = None
    specialist_read_timeout_seconds: float = 20
    h_engine: str = "bedrock_agent"
    agent_id: str | None = None
    agent_alias_id: str | None = None
    harness_arn: str | None = None
    harness_endpoint: str = "DEFAULT"
    gateway_url: str | None = None
    agent_read_timeout_seconds: float = 22
    # -- where the code runs (Powertools' rule for turning the tracer on) -------------------
    powertools_trace_disabled: bool = False
    lambda_task_root: str | None = None  # set by the Lambda runtime
    aws_sam_local: str | None = None  # set by SAM's local emulator
    aws_chalice_cli_mode: str | None = None  # set by Chalice's local emulator

    @field_validator("openai_strict_responses", "openai_agents_disable_tracing", mode="before")
    @classmethod
    def _on_unless_switched_off(cls, value: object) -> bool:
        """A switch is on unless it says `0` or `false` (any other text keeps it on)."""
        return str(value).strip().lower() not in ("0", "false")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings in `env` (this process's environment by default)."""
        env = os.environ if env is None else env
        return cls.model_validate(
            {name: value for name in cls.model_fields if (value := env.get(env_key(name)))}
        )

    @classmethod
    def default(cls, name: str) -> object:
        """A field's default, e.g. `default("max_active_bookings")`: where a module names the
        value it falls back to (a constructor's default, a stack's context default), it takes
        it from here, so the value is written once."""
        return cls.model_fields[name].default

    def required(self, name: str) -> str:
        """A setting the caller cannot work without, e.g. `required("bookings_table_name")`."""
        value = getattr(self, name)
        if value in (None, ""):
            raise MissingSetting(f"{env_key(name)} is not set")
        return str(value)

    @classmethod
    def environment(cls, **values: object) -> dict[str, str]:
        """A function's environment from field names: `environment(bookings_table_name=t)` is
        `{"BOOKINGS_TABLE_NAME": t}`, in the order given. Values are passed through as text
        (CDK tokens included); an unknown name is an error, so a typo cannot deploy."""
        return {env_key(name): str(value) for name, value in values.items()}


def env_key(name: str) -> str:
    """The environment variable that carries the setting `name` (which must be a setting)."""
    if name not in Settings.model_fields:
        raise ValueError(f"not a setting: {name}")
    return name.upper()
