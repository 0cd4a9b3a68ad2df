"""`patterns serve`: every pattern's HTTP API on 127.0.0.1, as API Gateway would answer.

`/{a..h}/health` and `/{a..h}/chat` go to the real handlers. The `X-Patterns-User` header
plays the role of a signed IAM caller, so several users can be played from one terminal.
One lock per pattern: like one warm Lambda container, a handler serves one request at a time
(its resolver holds per-request state); different patterns run concurrently.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from local.patterns import PATTERNS
from local.runtime import LocalRuntime

MAX_BODY_BYTES = 64 * 1024  # API Gateway would accept more; nothing legitimate needs it here


def make_server(runtime: LocalRuntime, port: int) -> ThreadingHTTPServer:
    locks = {key: threading.Lock() for key in PATTERNS}

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

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def log_message(self, fmt: str, *args) -> None:
            print(f"{self.address_string()} {fmt % args}", flush=True)

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)
