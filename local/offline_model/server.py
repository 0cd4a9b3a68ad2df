"""The offline stand-in model's HTTP endpoint: an OpenAI-compatible API on loopback.

Serves `POST /v1/chat/completions`, `POST /v1/responses` and `GET /v1/models` from a
stdlib `ThreadingHTTPServer` in a daemon thread, so the real `openai` client and the Agents SDK
can talk to the rule-based policy through `base_url`. Unknown paths answer 404 and unsupported
features 400, both with OpenAI-style error bodies.

    with start_offline_model() as model:
        client = OpenAI(base_url=model.base_url, api_key="offline")
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from . import wire
from .policy import decide

logger = logging.getLogger(__name__)


class OfflineModelServer:
    """A running stand-in endpoint; `stop()` it (or use it as a context manager)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        # A short poll keeps stop() quick: shutdown waits for the serving loop to look up.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="offline-model", daemon=True
        )

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        """What to pass as `base_url` (or `OPENAI_BASE_URL`): `http://127.0.0.1:PORT/v1`."""
        host = self._httpd.server_address[0]
        return f"http://{host}:{self.port}/v1"

    def start(self) -> OfflineModelServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()

    def __enter__(self) -> OfflineModelServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start_offline_model(host: str = "127.0.0.1", port: int = 0) -> OfflineModelServer:
    """Start the stand-in on `host`; port 0 picks a free port. Returns the running server."""
    return OfflineModelServer(host, port).start()


_POST_ROUTES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "/chat/completions": lambda body: wire.chat_completion(
        body, decide(wire.conversation_from_chat(body))
    ),
    "/responses": lambda body: wire.response_object(
        body, decide(wire.conversation_from_responses(body))
    ),
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "OfflineStandIn/1.0"
    # Idle keep-alive connections must not pin a handler thread forever.
    timeout = 30

    def do_GET(self) -> None:
        path = _route(self.path)
        if path == "/models":
            self._send(200, wire.models_list())
        elif path == f"/models/{wire.MODEL_NAME}":
            self._send(200, wire.model_object())
        else:
            self._send_error(404, f"Invalid URL (GET {self.path})", code="unknown_url")

    def do_POST(self) -> None:
        handler = _POST_ROUTES.get(_route(self.path))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if handler is None:
            self._send_error(404, f"Invalid URL (POST {self.path})", code="unknown_url")
            return
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            self._send_error(400, "The request body is not valid JSON.", code="invalid_json")
            return
        if not isinstance(body, dict):
            self._send_error(400, "The request body must be a JSON object.", code="invalid_body")
            return
        try:
            self._send(200, handler(body))
        except wire.UnsupportedRequest as unsupported:
            self._send_error(400, str(unsupported), param=unsupported.param, code="unsupported")
        except Exception:
            # A stand-in bug must still answer the way the API would, not drop the connection.
            logger.exception("offline stand-in failed on %s", self.path)
            self._send_error(
                500, "The offline stand-in failed on this request.", kind="server_error"
            )

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and the CLI own the console."""

    def _send_error(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        kind: str = "invalid_request_error",
    ) -> None:
        error = {"message": message, "type": kind, "param": param, "code": code}
        self._send(status, {"error": error})

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:24]}")
        self.send_header("x-offline-stand-in", wire.MODEL_NAME)
        self.end_headers()
        self.wfile.write(data)


def _route(raw_path: str) -> str:
    path = raw_path.split("?", 1)[0].rstrip("/")
    return path[3:] if path.startswith("/v1/") else path
