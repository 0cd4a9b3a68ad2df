"""`patterns serve`: every pattern's HTTP API on 127.0.0.1, as API Gateway would answer.

`/{a..h}/health` and `/{a..h}/chat` go to the real handlers. The `X-Patterns-User` header
plays the role of a signed IAM caller, so several users can be played from one terminal.
`/` is the console page (local/console): every pattern side by side in a browser.
Handlers take turns, one request at a time in the whole process: Powertools keeps the request
being resolved on a class attribute (`BaseRouter.current_event`), shared by every pattern's
resolver here, where in Lambda each process holds one. Turns in flight together could swap
events, and with them callers.

Like API Gateway, it forwards the request's headers (not hop-by-hop ones) and passes a body
that is not UTF-8 text base64-encoded, and every answer — including the ones http.server
gives by itself (405 with `Allow`, 400, 413, 414, 431, 501) — has the JSON error body.
"""

from __future__ import annotations

import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from local import console
from local.patterns import PATTERNS
from local.runtime import LocalRuntime

MAX_BODY_BYTES = 64 * 1024  # API Gateway would accept more; nothing legitimate needs it here
# Pending connections the kernel holds while every handler thread is busy. socketserver's
# default of 5 reset 3 of 16 concurrent requests; a browser page alone opens several.
LISTEN_BACKLOG = 128
ALLOWED_METHODS = "GET, POST"
# Hop-by-hop headers (RFC 9110 7.6.1) end at a proxy; API Gateway does not forward them either.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
# Media types API Gateway passes as text; any other body arrives base64-encoded.
TEXT_MEDIA_TYPES = ("application/json", "application/x-www-form-urlencoded", "text/")
# The error codes for statuses http.server answers by itself, in the contract's error body.
ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "payload_too_large",
    414: "uri_too_long",
    431: "headers_too_large",
    500: "internal_error",
    501: "not_implemented",
    505: "http_version_not_supported",
}


class PatternsHTTPServer(ThreadingHTTPServer):
    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True


def forwarded_headers(headers) -> dict[str, str]:
    """The request's end-to-end headers, as API Gateway passes them (lower-cased names;
    repeated headers joined with commas)."""
    forwarded: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        if key in HOP_BY_HOP or key == "content-length":
            continue
        forwarded[key] = f"{forwarded[key]},{value}" if key in forwarded else value
    return forwarded


def event_body(data: bytes, content_type: str | None) -> str | bytes | None:
    """Text for a JSON or text body that is valid UTF-8, otherwise the bytes (which the event
    carries base64-encoded with `isBase64Encoded`, as API Gateway does)."""
    if not data:
        return None
    media_type = (content_type or "application/json").split(";", 1)[0].strip().lower()
    if media_type.startswith(TEXT_MEDIA_TYPES):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return data


class LocalServer(PatternsHTTPServer):
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
            if getattr(self, "command", None) != "HEAD":
                self.wfile.write(data)

        def send_error(self, code: int, message: str | None = None, explain=None) -> None:
            """Every status http.server answers by itself (400, 414, 431, 501, …) in the
            contract's JSON error body instead of an HTML page."""
            try:
                short, _ = self.responses[code]
            except KeyError:
                short = http.client.responses.get(code, "Error")
            self.log_error("code %d, message %s", code, message)
            body = {
                "error": {
                    "code": ERROR_CODES.get(code, f"http_{code}"),
                    "message": message or short,
                }
            }
            # http.server treats an unreadable request line as HTTP/0.9 and would send the body
            # without a status line; no client speaks 0.9, so answer as HTTP/1.0.
            if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
                self.request_version = "HTTP/1.0"
            # After an unparsable request the connection cannot be reused.
            self.close_connection = True
            self._send(code, body, {"connection": "close"})

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
            try:
                length = int(self.headers.get("content-length") or 0)
            except ValueError:
                self.send_error(400, "Content-Length must be a number.")
                return
            if length > MAX_BODY_BYTES:
                self.close_connection = True  # the unread body must not be parsed as a request
                self._send(
                    413,
                    {"error": {"code": "payload_too_large", "message": "Request body too large."}},
                )
                return
            data = self.rfile.read(length) if length > 0 else b""
            headers = forwarded_headers(self.headers)
            user = headers.pop("x-patterns-user", None) or "local-user"
            with locks[key]:
                result = runtime.request(
                    PATTERNS[key],
                    method,
                    route,
                    event_body(data, headers.get("content-type")),
                    user=user,
                    headers=headers,
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

        def _method_not_allowed(self) -> None:
            self.close_connection = True  # any body is left unread
            self._send(
                405,
                {
                    "error": {
                        "code": "method_not_allowed",
                        "message": f"Routes are GET /health and POST /chat, not {self.command}.",
                    }
                },
                {"allow": ALLOWED_METHODS},
            )

        do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _method_not_allowed  # noqa: N815

        def log_message(self, fmt: str, *args) -> None:
            print(f"{self.address_string()} {fmt % args}", flush=True)

    return LocalServer(("127.0.0.1", port), Handler, scratch)
