"""`patterns serve` answers like API Gateway, and `patterns smoke` checks it: the same smoke run
a user points at a deployed stack, here against the local server (requests SigV4-signed with
dummy credentials, which the local server does not verify).

One `patterns serve` process per module (its start and its clean stop are checked once); each
test starts from empty tables on it."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from local.dynamodb import LocalDynamo, reset
from tests.utils import run_cli, serving_database

pytestmark = pytest.mark.local_server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`patterns serve` in its own process, on its own home; stopped (SIGTERM) at the end."""
    home = tmp_path_factory.mktemp("serve-home")
    port = free_port()
    env = {**os.environ, "PATTERNS_HOME": str(home), "PATTERNS_TODAY": "2026-11-24"}
    env.pop("OPENAI_API_KEY", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "local.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/a/health", timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("patterns serve did not start")
            time.sleep(0.2)
    database = json.loads((home / "dynalite.json").read_text())
    yield base, LocalDynamo(f"http://127.0.0.1:{database['port']}")
    process.terminate()
    process.wait(timeout=10)
    # SIGTERM unwinds like Ctrl-C: the local DynamoDB server stops with `serve`.
    assert not (home / "dynalite.json").exists()
    deadline = time.monotonic() + 10
    while pid_alive(database["pid"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pid_alive(database["pid"])


@pytest.fixture
def server(served):
    """The served API's base URL, its database's tables emptied for this test."""
    base, database = served
    reset(database)
    return base


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def post(url, body, user=None):
    headers = {"content-type": "application/json", **({"x-patterns-user": user} if user else {})}
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


def test_served_chat_is_labelled_and_plays_several_users(server):
    base = server

    status, booked, headers = post(f"{base}/a/chat", {"message": "Book tomorrow at 3pm"}, "alice")
    _, bobs, _ = post(f"{base}/a/chat", {"message": "Show my bookings"}, "bob")
    _, alices, _ = post(f"{base}/a/chat", {"message": "Show my bookings"}, "alice")

    assert status == 200 and booked["booking"]["court"] == "Court A"
    assert headers["x-patterns-model"] == "offline-stand-in"
    assert bobs["reply"] == "You have no bookings."
    assert booked["booking"]["booking_id"] in alices["reply"]


def test_unknown_paths_get_the_error_shape(server):
    base = server
    status, body, _ = post(f"{base}/z/chat", {"message": "hi"})
    assert status == 404 and body["error"]["code"] == "not_found"


def test_smoke_passes_against_the_local_api_and_leaves_nothing_booked(server, tmp_path):
    base = server

    run = run_cli(
        tmp_path,
        "smoke",
        "--url",
        f"{base}/a",
        "--book",
        AWS_ACCESS_KEY_ID="smoke",
        AWS_SECRET_ACCESS_KEY="smoke",
        AWS_DEFAULT_REGION="us-east-1",
    )

    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("ok ") == 5
    _, mine, _ = post(f"{base}/a/chat", {"message": "Show my bookings"}, "local-user")
    assert mine["reply"] == "You have no bookings."


def test_reset_while_serving_empties_the_tables_and_serve_keeps_answering(served, tmp_path):
    """`patterns reset` beside a running `patterns serve` (which advertises its database): the
    tables are emptied, not left missing under the running server."""
    base, database = served
    booked, _, _ = post(f"{base}/e/chat", {"message": "Book tomorrow at 3pm"}, "alice")
    assert booked == 200
    home = tmp_path / "home"
    home.mkdir()

    run = run_cli(serving_database(home, database), "reset")

    assert run.returncode == 0, run.stderr
    for pattern in "ae":
        status, body, _ = post(f"{base}/{pattern}/chat", {"message": "Show my bookings"}, "alice")
        assert (status, body["reply"]) == (200, "You have no bookings."), body


# --- the edge: every answer JSON, a real listen backlog, headers and bodies forwarded --------


def raw_request(base: str, data: bytes) -> tuple[int, dict, dict]:
    """Send raw bytes (a request http.client would refuse to build); parse the answer."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), {k.lower(): v for k, v in headers.items()}, json.loads(body)


def test_sixteen_concurrent_requests_are_all_answered(server):
    from concurrent.futures import ThreadPoolExecutor

    base = server

    def health(i: int) -> int:
        with urllib.request.urlopen(f"{base}/{'abcdefgh'[i % 8]}/health", timeout=60) as r:
            return r.status

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(health, range(16)))

    assert statuses == [200] * 16


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_are_405_json_with_allow(server, method):
    base = server
    request = urllib.request.Request(f"{base}/a/chat", b"{}", method=method)

    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(request, timeout=30)

    assert answered.value.code == 405
    assert answered.value.headers["Allow"] == "GET, POST"
    assert answered.value.headers["Content-Type"] == "application/json"
    assert json.loads(answered.value.read())["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("request_bytes", "status", "code"),
    [
        (
            b"GET /a/health HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-H%d: v\r\n" % i for i in range(120))
            + b"\r\n",
            431,
            "headers_too_large",
        ),
        (b"BREW /a/health HTTP/1.1\r\nHost: x\r\n\r\n", 501, "not_implemented"),
        (b"this is not http\r\n\r\n", 400, "bad_request"),
        (
            b"POST /a/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\n",
            413,
            "payload_too_large",
        ),
    ],
    ids=["431", "501", "400", "413"],
)
def test_statuses_http_server_answers_itself_are_json_too(server, request_bytes, status, code):
    base = server

    got, headers, body = raw_request(base, request_bytes)

    assert (got, body["error"]["code"]) == (status, code)
    assert headers["content-type"] == "application/json"


def test_the_same_idempotency_key_through_serve_returns_the_identical_body(server):
    base = server

    def send() -> tuple[int, bytes, dict]:
        request = urllib.request.Request(
            f"{base}/a/chat",
            json.dumps({"message": "Book tomorrow at 3pm"}).encode(),
            {
                "content-type": "application/json; charset=utf-8",
                "idempotency-key": "serve-retry-1",
                "x-patterns-user": "carol",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)

    first, again = send(), send()
    _, mine, _ = post(f"{base}/a/chat", {"message": "Show my bookings"}, "carol")

    assert first[0] == again[0] == 200
    assert again[1] == first[1]
    assert again[2]["Idempotent-Replayed"] == "true"
    assert mine["reply"].count("booking id") == 1  # booked once


def test_a_non_utf8_body_reaches_the_handler_base64_encoded_and_is_refused(server):
    base = server
    request = urllib.request.Request(
        f"{base}/a/chat",
        b'{"message": "\xff\xfe"}',
        {"content-type": "application/json"},
        method="POST",
    )

    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(request, timeout=30)

    assert answered.value.code == 400
    assert json.loads(answered.value.read())["error"]["code"] == "invalid_encoding"


def test_a_text_body_is_415_not_a_crash(server):
    base = server
    request = urllib.request.Request(
        f"{base}/a/chat", b"Book tomorrow at 3pm", {"content-type": "text/plain"}, method="POST"
    )

    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(request, timeout=30)

    assert answered.value.code == 415
    assert json.loads(answered.value.read())["error"]["code"] == "unsupported_media_type"


def test_connections_wait_in_the_listen_backlog_while_the_server_is_busy():
    from types import SimpleNamespace

    from local.server import make_server

    # Never accepting stands for every handler thread being busy: what the kernel queues is
    # all that keeps a burst from being dropped (socketserver's default backlog is 5).
    server = make_server(SimpleNamespace(offline=True), 0)
    connections: list[socket.socket] = []
    try:
        address = server.server_address[:2]
        for _ in range(16):
            connections.append(socket.create_connection(address, timeout=3))
        assert len(connections) == 16
    finally:
        for connection in connections:
            connection.close()
        server.server_close()
