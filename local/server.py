"""`patterns serve`: every pattern's HTTP API on 127.0.0.1, as API Gateway would answer.

`/{a..h}/health` and `/{a..h}/chat` go to the real handlers. The `X-Patterns-User` header
plays the role of a signed IAM caller, so several users can be played from one terminal.
`/` is the console page (local/console): every pattern side by side in a browser.
Handlers take turns, one request at a time in the whole process: Powertools keeps the request
being resolved on a class attribute (`BaseRouter.current_event`), shared by every pattern's
resolver here, where in Lambda each process holds one. Turns in flight together could swap
events, and with them callers.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from local import console
from local.patterns import PATTERNS
from local.runtime import LocalRuntime

MAX_BODY_BYTES = 64 * 1024  # API Gateway would accept more; nothing legitimate needs it here


class LocalServer(ThreadingHTTPServer):
    """Stops the console's scratch lane (a child process) when the server closes."""

    def __init__(self, address, handler, scratch: console.ScratchLane) -> None:
        super().__init__(address, handler)
        self.scratch = scratch

    def server_close(self) -> None:
        super().server_close()
        self.scratch.close()


def make_server(runtime: LocalRuntime, port: int) -> ThreadingHTTPServer:
    one_at_a_time = threading.Lock()  # see the module docstring: BaseRouter.current_event
    locks = dict.fromkeys(PATTERNS, one_at_a_time)
    scratch = console.ScratchLane(runtime)

    class Handler(BaseHTTPRequestHandler):
        server_version = "patterns-local"

        def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            if runtime.offline:
                self.send_header("x-patterns-model", "offline-stand-in")
            for name, value in (headers or {}).items():
                if name.lower() not in {"content-type", "content-length"}:
                    self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _route(self, method: str) -> None:
            parts = self.path.split("?", 1)[0].strip("/").split("/")
            if len(parts) != 2 or parts[0].upper() not in PATTERNS:
                available = ", ".join(f"/{k.lower()}" for k in PATTERNS)
                self._send(
                    404,
                    {"error": {"code": "not_found", "message": f"Patterns served: {available}."}},
                )
                return
            key, route = parts[0].upper(), "/" + parts[1]
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY_BYTES:
                self._send(
                    413,
                    {"error": {"code": "payload_too_large", "message": "Request body too large."}},
                )
                return
            body = self.rfile.read(length).decode("utf-8", "replace") if length else None
            user = self.headers.get("x-patterns-user") or "local-user"
            with locks[key]:
                result = runtime.request(
                    PATTERNS[key],
                    method,
                    route,
                    body,
                    user=user,
                    headers={"content-type": self.headers.get("content-type", "application/json")},
                )
            self._send(result.status, result.body, result.headers)

        # -- the console page (`/`) and its endpoints: local/console ------------------------
        def _console_get(self) -> bool:
            if self.path.split("?", 1)[0] == "/console/config":
                self._send(200, console.config(runtime))
                return True
            found = console.asset(self.path)
            if found is None:
                return False
            data, content_type = found
            self.send_response(200)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            self.send_header("cache-control", "no-cache")
            self.end_headers()
            self.wfile.write(data)
            return True

        def _scratch_chat(self, key: str) -> None:
            """A turn on scratch data ("same empty courts"): see console.ScratchLane."""
            try:
                length = int(self.headers.get("content-length") or 0)
            except ValueError:
                length = -1
            if length < 0:
                self._send(
                    400,
                    {"error": {"code": "invalid_request", "message": "Bad Content-Length."}},
                )
                return
            if length > MAX_BODY_BYTES:
                self._send(
                    413,
                    {"error": {"code": "payload_too_large", "message": "Request body too large."}},
                )
                return
            body = self.rfile.read(length).decode("utf-8", "replace") if length else None
            user = self.headers.get("x-patterns-user") or "local-user"
            result = scratch.request(key, body, user=user, headers=dict(self.headers.items()))
            self._send(result.status, result.body, result.headers)

        def do_GET(self) -> None:
            if self._console_get():
                return
            self._route("GET")

        def do_POST(self) -> None:
            if (key := console.scratch_pattern(self.path)) is not None:
                self._scratch_chat(key)
                return
            self._route("POST")

        def log_message(self, fmt: str, *args) -> None:
            print(f"{self.address_string()} {fmt % args}", flush=True)

    return LocalServer(("127.0.0.1", port), Handler, scratch)
