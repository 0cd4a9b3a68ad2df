"""The console page of `patterns serve` without a browser: its files, its config, and the
"same empty courts" lane that runs turns on scratch data in a child process."""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.local_server

TODAY = "2026-11-24"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (Linux /proc), to prove none outlives the server."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has already exited


@contextlib.contextmanager
def serve(home: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """`patterns serve` on a free port, own PATTERNS_HOME, today pinned, the offline model."""
    port = free_port()
    env = {**os.environ, "PATTERNS_HOME": str(home), "PATTERNS_TODAY": TODAY}
    env.pop("OPENAI_API_KEY", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "local.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/a/health", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("patterns serve did not start")
                time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def get(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def post(url: str, body, user: str | None = None) -> tuple[int, dict, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": "application/json", **({"x-patterns-user": user} if user else {})}
    request = urllib.request.Request(url, data, headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


class Served:
    """The module's `patterns serve`: started on first use, and again after a test stopped it."""

    def __init__(self, tmp_path_factory) -> None:
        self._homes, self._running = tmp_path_factory, None

    def running(self) -> tuple[str, subprocess.Popen]:
        if self._running is None:
            self._running = contextlib.ExitStack()
            home = self._homes.mktemp("console-home")
            self.base, self.process = self._running.enter_context(serve(home))
        return self.base, self.process

    def stop(self) -> None:
        if self._running is not None:
            self._running.close()
            self._running = None


@pytest.fixture(scope="module")
def serving(tmp_path_factory):
    served = Served(tmp_path_factory)
    yield served
    served.stop()


@pytest.fixture
def server(serving):
    return serving.running()


def test_root_serves_the_console_page_and_its_files(server):
    base, _ = server

    status, page, headers = get(f"{base}/")
    _, script, script_headers = get(f"{base}/console.js")
    _, style, style_headers = get(f"{base}/console.css")

    assert status == 200 and headers["content-type"].startswith("text/html")
    html = page.decode()
    assert '<form id="send-form"' in html and 'src="/console.js"' in html
    assert 'value="scratch"' in html  # the "same empty courts" mode
    assert "https://" not in html  # nothing from a CDN at run time
    assert script_headers["content-type"].startswith("text/javascript")
    assert b"/console/scratch/" in script
    assert style_headers["content-type"].startswith("text/css") and b".lane" in style


def test_config_names_every_pattern_and_the_offline_stand_in(server):
    base, _ = server

    status, raw, headers = get(f"{base}/console/config")

    config = json.loads(raw)
    assert status == 200 and headers["x-patterns-model"] == "offline-stand-in"
    assert config["offline"] is True and "stand-in" in config["model"]
    assert [p["id"] for p in config["patterns"]] == list("ABCDEFGH")
    notes = {p["id"]: p["local_note"] for p in config["patterns"]}
    assert "simulated" in notes["H"] and notes["A"] is None


def test_all_eight_patterns_asked_at_once_each_answer_their_own_caller(server):
    # The console sends to every pattern at once; each turn must keep its own caller.
    base, _ = server
    users = {key: f"user-{key.lower()}" for key in "ABCDEFGH"}
    # Three courts an hour; 3pm is left to the scratch test's real booking.
    hours = ["9am", "10am", "11am", "2pm", "4pm", "5pm", "9am", "10am"]
    times = dict(zip(users, hours, strict=True))

    def book(key: str):
        message = {"message": f"Book tomorrow at {times[key]}"}
        return post(f"{base}/{key.lower()}/chat", message, users[key])

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        answers = dict(zip(users, pool.map(book, users), strict=True))

    for key, (status, body, _) in answers.items():
        assert status == 200, (key, body)
        assert body["pattern"] == key and body["booking"] is not None, (key, body["reply"])
    for key, user in users.items():
        _, listed, _ = post(f"{base}/a/chat", {"message": "Show my bookings"}, user)
        assert answers[key][1]["booking"]["booking_id"] in listed["reply"], key
        others = [answers[k][1]["booking"]["booking_id"] for k in users if k != key]
        assert not any(booking_id in listed["reply"] for booking_id in others), key


def test_scratch_turns_meet_empty_courts_and_leave_the_real_bookings_alone(server):
    base, _ = server
    # Given a real booking on the server's own store at the time the scratch turns ask for
    status, real, _ = post(f"{base}/a/chat", {"message": "Book tomorrow at 3pm"}, "alice")
    assert status == 200 and real["booking"]["court"] == "Court A"

    # When two patterns book the same time on scratch data
    status_a, first, headers = post(
        f"{base}/console/scratch/a/chat", {"message": "Book tomorrow at 3pm"}, "alice"
    )
    status_d, second, _ = post(
        f"{base}/console/scratch/d/chat", {"message": "Book tomorrow at 3pm"}, "alice"
    )

    # Then each got Court A, the first free court, as on empty courts
    assert (status_a, status_d) == (200, 200)
    assert headers["x-patterns-store"] == "scratch"
    assert headers["x-patterns-model"] == "offline-stand-in"
    assert first["pattern"] == "A" and second["pattern"] == "D"
    assert first["booking"]["slot_id"] == second["booking"]["slot_id"] == "2026-11-25_CourtA_1500"
    # And the server's store holds only alice's real booking
    _, mine, _ = post(f"{base}/a/chat", {"message": "Show my bookings"}, "alice")
    assert real["booking"]["booking_id"] in mine["reply"]
    assert first["booking"]["booking_id"] not in mine["reply"]
    assert second["booking"]["booking_id"] not in mine["reply"]


def test_scratch_lane_answers_bad_input_with_the_api_error_shape(server):
    base, _ = server

    unknown_field, body, _ = post(f"{base}/console/scratch/b/chat", {"message": "hi", "x": 1})
    not_json, body_2, _ = post(f"{base}/console/scratch/b/chat", b"{not json")
    no_pattern, body_3, _ = post(f"{base}/console/scratch/z/chat", {"message": "hi"})
    too_big, body_4, _ = post(f"{base}/console/scratch/b/chat", b"x" * (65 * 1024))

    assert unknown_field == 422 and body["error"]["code"] == "validation_error"
    assert not_json == 400 and body_2["error"]["code"] == "invalid_json"
    assert no_pattern == 404 and body_3["error"]["code"] == "not_found"
    assert too_big == 413 and body_4["error"]["code"] == "payload_too_large"


def scratch_worker_after_a_turn(base: str, process: subprocess.Popen) -> int:
    """The pid of the scratch lane's worker process, started by one scratch turn."""
    post(f"{base}/console/scratch/a/chat", {"message": "Book tomorrow at 3pm"})
    return next(
        pid
        for pid in descendants(process.pid)
        if b"scratch_worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    )


def test_a_stopped_scratch_lane_starts_again_on_the_next_turn(server):
    base, process = server
    worker = scratch_worker_after_a_turn(base, process)
    os.kill(worker, signal.SIGTERM)  # it unwinds, as on Ctrl-C
    deadline = time.monotonic() + 15
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)

    status, body, headers = post(
        f"{base}/console/scratch/b/chat", {"message": "Book tomorrow at 3pm"}
    )

    assert status == 200 and headers["x-patterns-store"] == "scratch"
    assert body["booking"]["slot_id"] == "2026-11-25_CourtA_1500"


def test_a_turn_sent_as_the_scratch_lane_stops_is_answered_by_a_fresh_worker(server):
    base, process = server
    worker = scratch_worker_after_a_turn(base, process)

    os.kill(worker, signal.SIGTERM)  # no wait: the turn meets the worker as it exits
    status, body, headers = post(
        f"{base}/console/scratch/c/chat", {"message": "Book tomorrow at 3pm"}
    )

    assert status == 200 and headers["x-patterns-store"] == "scratch", body
    assert body["booking"]["slot_id"] == "2026-11-25_CourtA_1500"  # emptied courts, as ever
    assert not alive(worker)


def test_the_scratch_lane_stops_with_the_server(serving):
    # Last in the module: it stops the module's server (a test after it would start another).
    base, process = serving.running()
    status, _, _ = post(f"{base}/console/scratch/a/chat", {"message": "Book tomorrow at 3pm"})
    assert status == 200
    # The lane is a worker process with its own database server below it.
    workers = descendants(process.pid)
    assert len(workers) >= 3  # the server's dynalite, the worker, the worker's dynalite

    serving.stop()

    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(pid)]
