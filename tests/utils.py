"""Helpers shared by tests: real event shapes and a Lambda context."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from local.events import LocalLambdaContext

EVENTS = Path(__file__).parent / "events"


def load_event(name: str) -> dict:
    return json.loads((EVENTS / f"{name}.json").read_text())


def chat_event(body, *, caller_arn: str | None = None, raw: bool = False) -> dict:
    """The recorded IAM-signed `POST /chat` event with another body (and caller)."""
    event = copy.deepcopy(load_event("http_api_chat_iam"))
    event["body"] = body if raw else json.dumps(body)
    if caller_arn is not None:
        event["requestContext"]["authorizer"]["iam"]["userArn"] = caller_arn
    return event


def lambda_context(name: str = "pattern-test") -> LocalLambdaContext:
    return LocalLambdaContext(function_name=name)


def response_json(response: dict) -> dict:
    return json.loads(response["body"])


def owners(store) -> dict[str, str]:
    """{slot_id: owner} of every booking the store holds, read back from the table (the
    callers' ledger items are not bookings)."""
    return {booking.slot_id: owner for booking, owner in store.all_bookings()}


def run_patterns(
    home,
    *args: str,
    today: str = "2026-11-24",
    timeout: float = 120,
    stdin: str | None = None,
    **env_overrides: str,
):
    """The `patterns` CLI in its own process, on its own local database under `home`, with
    today pinned and the offline stand-in model (any OPENAI_API_KEY is removed); `stdin`, when
    given, arrives through a pipe (not a terminal)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PATTERNS_HOME": str(home), "PATTERNS_TODAY": today, **env_overrides}
    env.pop("OPENAI_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "local.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
