"""The OpenAI client, built once per container (`pattern_core.collaborators.reset()` forgets it).

In Lambda the API key comes from Secrets Manager (only the secret's ARN is in the environment),
read through Powertools parameters on first use; locally `OPENAI_API_KEY` is used.
`OPENAI_BASE_URL` is honoured by the client itself — that is how the local offline model is
reached. The model name is configuration (`OPENAI_MODEL`). Agents run on an async client per
event loop (`pattern_core.agent_runtime.runtime`), built from the same `client_options()`.
"""

from __future__ import annotations

import contextlib
import importlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pattern_core.collaborators import per_container
from pattern_core.contract import trace
from pattern_core.deadline import MIN_CALL_SECONDS, Deadline, DeadlineExceeded
from settings import Settings

if TYPE_CHECKING:  # the SDK is imported by what calls the model, not by what names errors
    from openai import OpenAI


# What a first model call imports on top of `import openai` (60-90 modules, ~0.3 s on a small VM):
# the SDK loads its endpoints when a client first reaches them, and httpx2 its transport
# (httpcore2, h11, the TLS context's truststore) when a client is built, and its async network
# backend (anyio's asyncio backend, jiter for the answer) on the first request.
REQUEST_PATH = (
    "openai.resources.chat.chat",
    "openai.resources.chat.completions.completions",
    "openai.resources.responses.responses",
    "httpcore2",
    "h11",
    "truststore",
    "anyio._backends._asyncio",
    "anyio.streams.tls",
    "jiter",
    "encodings.idna",
)


class ModelNotConfigured(Exception):
    """No usable OpenAI API key: the secret is missing or empty, or (locally) OPENAI_API_KEY is
    unset. The message names the secret and the command that creates it, never a value."""

    def __init__(self, secret_name: str | None = None) -> None:
        self.secret_name = secret_name if secret_name is not None else configured_secret_name()
        if self.secret_name:
            message = (
                f"The model is not configured: the Secrets Manager secret {self.secret_name} "
                "is missing or empty. Create it with: aws secretsmanager create-secret --name "
                f'{self.secret_name} --secret-string "sk-..." (or, if it exists, '
                f"aws secretsmanager put-secret-value --secret-id {self.secret_name} "
                '--secret-string "sk-...").'
            )
        else:
            message = "The model is not configured: set OPENAI_API_KEY."
        super().__init__(message)


def configured_secret_name() -> str | None:
    """The key secret's name: from OPENAI_API_KEY_SECRET_NAME, else from the ARN the stack
    passes (`from_secret_name_v2` gives a partial ARN ending in the name itself)."""
    settings = Settings.from_env()
    name, arn = settings.openai_api_key_secret_name, settings.openai_api_key_secret_arn
    if name:
        return name
    if arn:
        return arn.split(":secret:", 1)[-1]
    return None


def model_name() -> str:
    return Settings.from_env().openai_model


@per_container
def openai_api_key() -> str:
    settings = Settings.from_env()
    secret_arn = settings.openai_api_key_secret_arn
    if secret_arn:
        value = _secret_value(secret_arn)
        # Accept a plain string secret or a JSON one: {"OPENAI_API_KEY": "sk-…"}.
        if value.lstrip().startswith("{"):
            try:
                data = json.loads(value)
            except ValueError:
                data = {}
            value = (data.get("OPENAI_API_KEY") or data.get("api_key") or "") if data else ""
        if not value.strip():
            raise ModelNotConfigured()
        return value.strip()
    if settings.openai_api_key is None:
        raise ModelNotConfigured()
    return settings.openai_api_key.get_secret_value()


def _secret_value(secret_arn: str) -> str:
    """The secret's current value, "" when it has none; a secret that does not exist is
    ModelNotConfigured (any other failure, e.g. access denied, propagates as it is)."""
    from aws_lambda_powertools.utilities import parameters

    try:
        value = parameters.get_secret(secret_arn)
    except parameters.exceptions.GetParameterError as exc:
        # Powertools wraps the SDK's error; the ClientError is the exception's context.
        cause = exc.__context__
        code = getattr(cause, "response", {}).get("Error", {}).get("Code")
        if code == "ResourceNotFoundException" or "ResourceNotFoundException" in str(exc):
            raise ModelNotConfigured() from None
        raise
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value or ""


def model_timeout() -> float:
    """One model call's own cap, in seconds (a request's deadline may allow less)."""
    return Settings.from_env().openai_timeout_seconds


def model_max_retries() -> int:
    return Settings.from_env().openai_max_retries


def strict_responses() -> bool:
    return Settings.from_env().openai_strict_responses


def client_options() -> dict:
    # Answer inside API Gateway's 30 s: one slow call must not eat the whole budget.
    return {
        "api_key": openai_api_key(),
        "timeout": model_timeout(),
        "max_retries": model_max_retries(),
        # Validate every answer against the SDK's response types: a 200 that is not JSON, or
        # JSON of the wrong shape, becomes `APIResponseValidationError` (502 model_error)
        # instead of a string or an empty object failing somewhere in the orchestration.
        # The price: a field value newer than this SDK (a new enum member) is refused too;
        # OPENAI_STRICT_RESPONSES=false turns the check off until the SDK is upgraded.
        "_strict_response_validation": strict_responses(),
    }


def call_options(deadline: Deadline) -> dict:
    """Per-call options (`client.with_options(**call_options(deadline))`) inside the request's
    deadline: an attempt may take its own cap or the time left, whichever is less, and the
    client retries only if a second attempt of that length still fits."""
    timeout = deadline.cap(model_timeout(), "a model call")
    retries = model_max_retries() if deadline.fits(2 * timeout + 0.5) else 0
    return {"timeout": timeout, "max_retries": retries}


def within_deadline(client, deadline: Deadline):
    """`client` (sync or async) for calls inside `deadline`: the same connection pool, other
    options. `with_options` does not carry strict response validation over by itself, so it is
    passed on explicitly (garbage from the model must stay a 502, not become a 500)."""
    strict = getattr(client, "_strict_response_validation", None)
    extra = {} if strict is None else {"_extra_kwargs": {"_strict_response_validation": strict}}
    return client.with_options(**call_options(deadline), **extra)


@contextlib.contextmanager
def deadline_of_call(deadline: Deadline, what: str = "a model call") -> Iterator[dict]:
    """Name a model timeout for what ran out: when the call was cut short because the request's
    time was up, that is `DeadlineExceeded` (504 `deadline_exceeded`, naming what the turn has
    done); a call that hit its own cap with time still left stays openai's `APITimeoutError`
    (504 `model_timeout`). A traced turn records the call as a `model_call` event named `what`;
    the yielded dict is its detail (`record_answer` adds the model and tokens)."""
    import openai  # already loaded: a model call is about to run

    with trace.span("model_call", what) as detail:
        try:
            yield detail
        except openai.APITimeoutError as exc:
            if not deadline.fits(MIN_CALL_SECONDS):
                raise DeadlineExceeded(what) from exc
            raise


def record_answer(detail: dict, completion) -> None:
    """The model and tokens one Chat Completions answer reports, in its trace event's detail."""
    usage = getattr(completion, "usage", None)
    detail["model"] = getattr(completion, "model", None)
    detail["input_tokens"] = getattr(usage, "prompt_tokens", None)
    detail["output_tokens"] = getattr(usage, "completion_tokens", None)


def load_request_path() -> None:
    """Import the model SDK's request path (`REQUEST_PATH`) without making a call: SnapStart's
    warm-up before the snapshot, so the first turn after a restore does not import it. Reads no
    secret and builds no client (a client's connection pool must not be in a snapshot)."""
    for name in REQUEST_PATH:
        importlib.import_module(name)


@per_container
def openai_client() -> OpenAI:
    from openai import OpenAI

    return OpenAI(**client_options())
