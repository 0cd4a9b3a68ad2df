"""The console's "same empty courts" lane: a child process that answers turns on scratch data.

`patterns serve` keeps one database and one set of warm handlers for real conversations, and
the handlers' clients are bound to it for the life of the process. So the scratch lane is a
second process, set up exactly as `patterns compare` is (a throw-away `PATTERNS_HOME`, its own
local DynamoDB server, every table emptied before each turn): each pattern meets the same
empty courts, and nothing it books reaches the server's real bookings.

Protocol, one JSON object per line: stdin takes `{"pattern", "method", "path", "body", "user",
"headers"}`, stdout answers `{"status", "body", "headers"}`. It exits when stdin closes.
"""

from __future__ import annotations

import json
import os
import signal
import sys


def serve(requests, answers) -> None:
    from local.paths import scratch_state
    from local.patterns import pattern
    from local.runtime import LocalRuntime

    with scratch_state(), LocalRuntime() as runtime:
        print(json.dumps({"ready": True, "model": runtime.model_label}), file=answers, flush=True)
        for line in requests:
            request = json.loads(line)
            runtime.fresh_tables()  # as `patterns compare`: each turn starts from empty courts
            result = runtime.request(
                pattern(request["pattern"]),
                request["method"],
                request["path"],
                request["body"],
                user=request["user"],
                headers=request["headers"],
            )
            answer = {"status": result.status, "body": result.body, "headers": result.headers}
            print(json.dumps(answer), file=answers, flush=True)


def main() -> int:
    # SIGTERM from the server unwinds like Ctrl-C, so this lane's database server stops too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    # The answers get their own copy of stdout; then stdout itself becomes stderr, before any
    # handler is imported, so nothing else (handler logs bind to stdout) reaches the protocol.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin, answers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
