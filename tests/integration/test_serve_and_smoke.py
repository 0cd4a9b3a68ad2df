"""`patterns serve` answers like API Gateway, and `patterns smoke` checks it: the same smoke run
a user points at a deployed stack, here against the local server (requests SigV4-signed with
dummy credentials, which the local server does not verify)."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.local_server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = free_port()
    env = {**os.environ, "PATTERNS_HOME": str(tmp_path), "PATTERNS_TODAY": "2026-11-24"}
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
    database_pid = json.loads((tmp_path / "dynalite.json").read_text())["pid"]
    yield base, env
    process.terminate()
    process.wait(timeout=10)
    # SIGTERM unwinds like Ctrl-C: the local DynamoDB server stops with `serve`.
    assert not (tmp_path / "dynalite.json").exists()
    deadline = time.monotonic() + 10
    while pid_alive(database_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pid_alive(database_pid)


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
    base, _ = server

    status, booked, headers = post(f"{base}/a/chat", {"message": "Book tomorrow at 3pm"}, "alice")
    _, bobs, _ = post(f"{base}/a/chat", {"message": "Show my bookings"}, "bob")
    _, alices, _ = post(f"{base}/a/chat", {"message": "Show my bookings"}, "alice")

    assert status == 200 and booked["booking"]["court"] == "Court A"
    assert headers["x-patterns-model"] == "offline-stand-in"
    assert bobs["reply"] == "You have no bookings."
    assert booked["booking"]["booking_id"] in alices["reply"]


def test_unknown_paths_get_the_error_shape(server):
    base, _ = server
    status, body, _ = post(f"{base}/z/chat", {"message": "hi"})
    assert status == 404 and body["error"]["code"] == "not_found"


def test_smoke_passes_against_the_local_api_and_leaves_nothing_booked(server):
    base, env = server
    env = {
        **env,
        "AWS_ACCESS_KEY_ID": "smoke",
        "AWS_SECRET_ACCESS_KEY": "smoke",
        "AWS_DEFAULT_REGION": "us-east-1",
    }

    run = subprocess.run(
        [sys.executable, "-m", "local.cli", "smoke", "--url", f"{base}/a", "--book"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("ok ") == 5
    _, mine, _ = post(f"{base}/a/chat", {"message": "Show my bookings"}, "local-user")
    assert mine["reply"] == "You have no bookings."
