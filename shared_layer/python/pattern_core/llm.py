"""The OpenAI client, built once per container.

In Lambda the API key comes from Secrets Manager (only the secret's ARN is in the environment),
read through Powertools parameters on first use; locally `OPENAI_API_KEY` is used.
`OPENAI_BASE_URL` is honoured by the client itself — that is how the local offline model is
reached. The model name is configuration (`OPENAI_MODEL`). Agents run on an async client per
event loop (`pattern_core.agent_runtime`), built from the same `client_options()`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
from collections.abc import Iterator

import openai
from openai import OpenAI

from pattern_core.deadline import MIN_CALL_SECONDS, Deadline, DeadlineExceeded

DEFAULT_MODEL = "gpt-5-mini"


class ModelNotConfigured(Exception):
    """Neither a key secret nor OPENAI_API_KEY is configured."""


def model_name() -> str:
    return os.environ.get("OPENAI_MODEL") or DEFAULT_MODEL


@functools.cache
def openai_api_key() -> str:
    secret_arn = os.environ.get("OPENAI_API_KEY_SECRET_ARN")
    if secret_arn:
        from aws_lambda_powertools.utilities import parameters

        value = parameters.get_secret(secret_arn)
        if isinstance(value, bytes):
            value = value.decode()
        # Accept a plain string secret or a JSON one: {"OPENAI_API_KEY": "sk-…"}.
        if value.lstrip().startswith("{"):
            data = json.loads(value)
            value = data.get("OPENAI_API_KEY") or data.get("api_key") or ""
        if value:
            return value.strip()
    key = os.environ.get("OPENAI_API_KEY")
    if not key:
        raise ModelNotConfigured(
            "No OpenAI API key: set OPENAI_API_KEY_SECRET_ARN (Lambda) or OPENAI_API_KEY."
        )
    return key


def model_timeout() -> float:
    """One model call's own cap, in seconds (a request's deadline may allow less)."""
    return float(os.environ.get("OPENAI_TIMEOUT_SECONDS") or 20)


def model_max_retries() -> int:
    return int(os.environ.get("OPENAI_MAX_RETRIES") or 1)


def client_options() -> dict:
    # Answer inside API Gateway's 30 s: one slow call must not eat the whole budget.
    return {
        "api_key": openai_api_key(),
        "timeout": model_timeout(),
        "max_retries": model_max_retries(),
    }


def call_options(deadline: Deadline) -> dict:
    """Per-call options (`client.with_options(**call_options(deadline))`) inside the request's
    deadline: an attempt may take its own cap or the time left, whichever is less, and the
    client retries only if a second attempt of that length still fits."""
    timeout = deadline.cap(model_timeout(), "a model call")
    retries = model_max_retries() if deadline.fits(2 * timeout + 0.5) else 0
    return {"timeout": timeout, "max_retries": retries}


def within_deadline(client: OpenAI, deadline: Deadline) -> OpenAI:
    """`client` for one call inside `deadline` (the same connection pool, other options)."""
    return client.with_options(**call_options(deadline))


@contextlib.contextmanager
def deadline_of_call(deadline: Deadline, what: str = "a model call") -> Iterator[None]:
    """Name a model timeout for what ran out: when the call was cut short because the request's
    time was up, that is `DeadlineExceeded` (504 `deadline_exceeded`, naming what the turn has
    done); a call that hit its own cap with time still left stays openai's `APITimeoutError`
    (504 `model_timeout`)."""
    try:
        yield
    except openai.APITimeoutError as exc:
        if not deadline.fits(MIN_CALL_SECONDS):
            raise DeadlineExceeded(what) from exc
        raise


@functools.cache
def openai_client() -> OpenAI:
    return OpenAI(**client_options())
