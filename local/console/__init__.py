"""The console page of `patterns serve`: every pattern side by side in a browser.

Static files (index.html, console.js, console.css) are served as they are: no build step and
nothing fetched from a CDN. Besides them the console has two endpoints:

- `GET /console/config` — the patterns (id, name, who decides, local note) and the model label,
  so the page names what `local.patterns` names, spelled once.
- `POST /console/scratch/{a..h}/chat` — the same request as `/{a..h}/chat`, answered on scratch
  data ("same empty courts", as `patterns compare`), by `ScratchLane`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from local.paths import PROJECT_ROOT
from local.patterns import PATTERNS
from local.runtime import HttpResult, LocalRuntime

ASSET_DIR = Path(__file__).resolve().parent
ASSETS = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/console.js": ("console.js", "text/javascript; charset=utf-8"),
    "/console.css": ("console.css", "text/css; charset=utf-8"),
}
SCRATCH_PREFIX = "/console/scratch/"
# The request headers a turn may carry into the scratch lane (the rest are the server's own).
FORWARDED_HEADERS = ("content-type", "x-patterns-trace", "idempotency-key")


def asset(path: str) -> tuple[bytes, str] | None:
    """The bytes and content type of a console file, or None if `path` is not one."""
    entry = ASSETS.get(path.split("?", 1)[0])
    if entry is None:
        return None
    name, content_type = entry
    return (ASSET_DIR / name).read_bytes(), content_type


def config(runtime: LocalRuntime) -> dict:
    return {
        "model": runtime.model_label,
        "offline": runtime.offline,
        "patterns": [
            {
                "id": spec.id,
                "name": spec.name,
                "who_decides": spec.who_decides,
                "local_note": spec.local_note,
            }
            for spec in PATTERNS.values()
        ],
    }


def scratch_pattern(path: str) -> str | None:
    """`/console/scratch/d/chat` -> "D"; None for any other path."""
    path = path.split("?", 1)[0]
    if not path.startswith(SCRATCH_PREFIX):
        return None
    key, _, route = path.removeprefix(SCRATCH_PREFIX).partition("/")
    return key.upper() if route == "chat" and key.upper() in PATTERNS else None


class ScratchLane:
    """Runs turns in a `scratch_worker` child process, one at a time, started on first use.

    One at a time is the point: every turn empties the scratch tables first, so two patterns
    never share courts. The child inherits the server's environment minus what the server's
    own runtime put there for its offline model, so it starts its own, as `compare` would.
    """

    def __init__(self, runtime: LocalRuntime) -> None:
        self.runtime = runtime
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        env = dict(os.environ)
        env.pop("PATTERNS_HOME", None)  # the worker makes its own throw-away home
        if self.runtime.offline:
            for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
                env.pop(name, None)
        process = subprocess.Popen(
            [sys.executable, "-m", "local.console.scratch_worker"],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = process.stdout.readline()
        if not ready:
            process.wait()
            raise RuntimeError("the scratch lane did not start")
        return process

    def request(self, key: str, body: str | None, *, user: str, headers: dict) -> HttpResult:
        message = {
            "pattern": key,
            "method": "POST",
            "path": "/chat",
            "body": body,
            "user": user,
            "headers": {k: v for k, v in headers.items() if k.lower() in FORWARDED_HEADERS},
        }
        with self.lock:
            answer = self._exchange_locked(message)
            if answer is None:
                # The worker stopped (killed since the last turn, exiting as the request came
                # in, or failing as it started): a fresh one gets the turn once more. Safe: a
                # scratch turn starts from emptied tables, so it cannot book anything twice.
                self.close_locked()
                answer = self._exchange_locked(message)
            if answer is None:
                self.close_locked()
                return HttpResult(
                    503,
                    {
                        "error": {
                            "code": "scratch_unavailable",
                            "message": "The scratch lane stopped; see the server log. "
                            "Send again to restart it.",
                        }
                    },
                    {},
                )
        headers = {**answer["headers"], "x-patterns-store": "scratch"}
        return HttpResult(answer["status"], answer["body"], headers)

    def _exchange_locked(self, message: dict) -> dict | None:
        """Send one turn to the worker (started if there is none) and read its answer; None
        if the worker is gone or answered something that is not an answer."""
        try:
            if self.process is None or self.process.poll() is not None:
                self.process = self._start()
            self.process.stdin.write(json.dumps(message) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except (OSError, RuntimeError):
            return None
        try:
            return json.loads(line) if line else None
        except ValueError:  # not an answer: the protocol is broken, start afresh
            return None

    def close_locked(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()  # the worker unwinds on SIGTERM: its database server stops too
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pipe in (process.stdin, process.stdout):
            pipe.close()

    def close(self) -> None:
        """Stop the worker now (server shutdown), even if a turn is still running in it."""
        self.close_locked()
