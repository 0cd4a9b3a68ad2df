"""Helpers shared by tests: real event shapes, a Lambda context, and the `patterns` CLI run
in its own process or in this one."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from local.events import LocalLambdaContext
from pattern_core import collaborators

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


@contextlib.contextmanager
def as_cli_process(home, *, today: str = "2026-11-24", **env_overrides: str) -> Iterator[None]:
    """This process as `run_patterns` starts a `patterns` process: PATTERNS_HOME, today pinned,
    no OPENAI_API_KEY (so the offline stand-in), nothing on stdin, and fresh per-container
    collaborators; the environment, stdin and SIGTERM handler are put back afterwards."""
    saved_env, saved_term = dict(os.environ), signal.getsignal(signal.SIGTERM)
    saved_stdin = sys.stdin
    os.environ.update({"PATTERNS_HOME": str(home), "PATTERNS_TODAY": today, **env_overrides})
    os.environ.pop("OPENAI_API_KEY", None)
    collaborators.reset()
    sys.stdin = io.StringIO("")
    try:
        yield
    finally:
        sys.stdin = saved_stdin
        signal.signal(signal.SIGTERM, saved_term)
        collaborators.reset()
        os.environ.clear()
        os.environ.update(saved_env)


def run_cli(
    home,
    *args: str,
    today: str = "2026-11-24",
    stdin: str | None = None,
    **env_overrides: str,
) -> subprocess.CompletedProcess:
    """`patterns ARGS` in this process, as `run_patterns` runs it in its own (`as_cli_process`;
    `stdin`, when given, from a pipe, not a terminal), with the same answer: its exit status,
    stdout and stderr. The handlers' modules stay imported between runs, which spares each run
    an interpreter start and the Agents SDK import."""
    from local.cli import main

    out, err = io.StringIO(), io.StringIO()
    with as_cli_process(home, today=today, **env_overrides):
        sys.stdin = io.StringIO(stdin or "")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse refusing the arguments, as in a process
                code = exit_.code if isinstance(exit_.code, int) else 1
    return subprocess.CompletedProcess(
        ["patterns", *args], code, stdout=out.getvalue(), stderr=err.getvalue()
    )


def serving_database(home, server) -> Path:
    """`home` as a PATTERNS_HOME whose commands use the running local DynamoDB `server`, its
    tables emptied, as they use the one `patterns serve` advertises there: no command starts a
    server of its own on that home."""
    from local.dynamodb import reset

    reset(server)
    port = int(server.endpoint.rsplit(":", 1)[1])
    (Path(home) / "dynalite.json").write_text(json.dumps({"port": port}))
    return Path(home)
