"""A real DynamoDB-compatible server on loopback: `dynalite` (npm), data under .patterns/.

Bookings persist between runs, and concurrent requests really race on conditional writes —
which moto cannot show. `patterns serve` starts one and advertises it in a state file so
`patterns chat` in another terminal reuses it; otherwise each command starts its own and stops
it on exit. A file lock keeps two servers off one LevelDB directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config

from booking import table as bookings_table
from local.paths import PROJECT_ROOT, state_dir
from pattern_core.agent_runtime import session_table
from pattern_core.contract import idempotency
from settings import Settings

BOOKINGS_TABLE = "patterns-bookings"
SESSIONS_TABLE = "patterns-sessions"
IDEMPOTENCY_TABLE = "patterns-idempotency"
LOCAL_REGION = "us-east-1"
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


class LocalDynamoError(RuntimeError):
    pass


@dataclass(frozen=True)
class LocalDynamo:
    endpoint: str

    def client(self):
        return boto3.client(
            "dynamodb",
            endpoint_url=self.endpoint,
            region_name=LOCAL_REGION,
            config=Config(retries={"max_attempts": 2}),
            **LOCAL_CREDENTIALS,
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _dynalite_cli() -> Path:
    cli = PROJECT_ROOT / "node_modules" / "dynalite" / "cli.js"
    if not cli.exists():
        raise LocalDynamoError("dynalite is not installed: run `npm ci` in the project root.")
    return cli


def _advertised() -> LocalDynamo | None:
    """A server started by `patterns serve`, if one is alive."""
    try:
        info = json.loads((state_dir() / "dynalite.json").read_text())
    except (OSError, ValueError):
        return None
    if _listening(info["port"]):
        return LocalDynamo(f"http://127.0.0.1:{info['port']}")
    return None


@contextlib.contextmanager
def _start(data_dir: Path, advertise: bool) -> Iterator[LocalDynamo]:
    node = shutil.which("node")
    if node is None:
        raise LocalDynamoError("Node.js is needed for the local DynamoDB server (dynalite).")
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = open(state_dir() / "dynalite.lock", "w")  # noqa: SIM115 - held for the server's life
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # Another command owns the data directory right now; wait for it (bounded).
            deadline = time.monotonic() + 60
            while True:
                if (server := _advertised()) is not None:
                    yield server
                    return
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise LocalDynamoError(
                            "Another patterns command holds the local database; try again."
                        ) from None
                    time.sleep(0.1)
        port = _free_port()
        log = open(state_dir() / "dynalite.log", "ab")  # noqa: SIM115
        process = subprocess.Popen(
            [
                node,
                str(_dynalite_cli()),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--path",
                str(data_dir),
                "--createTableMs",
                "0",
                "--deleteTableMs",
                "0",
                "--updateTableMs",
                "0",
            ],
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 20
            while not _listening(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise LocalDynamoError(
                        f"dynalite did not start; see {state_dir() / 'dynalite.log'}"
                    )
                time.sleep(0.05)
            state = state_dir() / "dynalite.json"
            if advertise:
                state.write_text(json.dumps({"port": port, "pid": process.pid}))
            try:
                yield LocalDynamo(f"http://127.0.0.1:{port}")
            finally:
                if advertise:
                    state.unlink(missing_ok=True)
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
    finally:
        lock.close()


@contextlib.contextmanager
def local_dynamodb(advertise: bool = False) -> Iterator[LocalDynamo]:
    """Use the advertised server, or run one for the duration of the block; tables exist."""
    server = _advertised()
    if server is not None:
        ensure_tables(server)
        yield server
        return
    with _start(state_dir() / "dynamodb", advertise) as server:
        ensure_tables(server)
        yield server


def ensure_tables(server: LocalDynamo) -> None:
    client = server.client()
    existing = set(client.list_tables()["TableNames"])
    if BOOKINGS_TABLE not in existing:
        create_bookings_table(client, BOOKINGS_TABLE)
    if SESSIONS_TABLE not in existing:
        create_sessions_table(client, SESSIONS_TABLE)
    if IDEMPOTENCY_TABLE not in existing:
        create_idempotency_table(client, IDEMPOTENCY_TABLE)


def create_bookings_table(client, name: str) -> None:
    """The same key schema the CDK construct deploys (both read booking.table)."""
    user_index = [
        (bookings_table.USER_INDEX_PARTITION_KEY, "HASH"),
        (bookings_table.USER_INDEX_SORT_KEY, "RANGE"),
    ]
    _create_table(
        client,
        name,
        bookings_table,
        index_attributes=[attribute for attribute, _ in user_index],
        GlobalSecondaryIndexes=[
            {
                "IndexName": bookings_table.USER_INDEX_NAME,
                "KeySchema": _key_schema(user_index),
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


def create_sessions_table(client, name: str) -> None:
    """Conversation history for patterns D-G: the schema the CDK construct deploys."""
    _create_table(client, name, session_table)


def create_idempotency_table(client, name: str) -> None:
    """Answers to requests sent with an Idempotency-Key (`pattern_core.contract.idempotency`)."""
    _create_table(client, name, idempotency)


def _create_table(client, name: str, schema, *, index_attributes=(), **indexes) -> None:
    """An on-demand table keyed as the shared layer's `schema` module says (its `PARTITION_KEY`,
    `SORT_KEY` if any, `TTL_ATTRIBUTE`): the module the CDK construct reads too."""
    keys = [(schema.PARTITION_KEY, "HASH")]
    if getattr(schema, "SORT_KEY", None):
        keys.append((schema.SORT_KEY, "RANGE"))
    attributes = [attribute for attribute, _ in keys] + list(index_attributes)
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in attributes],
        KeySchema=_key_schema(keys),
        **indexes,
    )
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1})
    with contextlib.suppress(Exception):  # dynalite may not implement TTL; it is optional here
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": schema.TTL_ATTRIBUTE},
        )


def _key_schema(keys: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"AttributeName": attribute, "KeyType": kind} for attribute, kind in keys]


def reset(server: LocalDynamo) -> int:
    """Empty every local table (bookings, sessions, idempotency) by dropping and creating it
    again, so that a `patterns serve` using this server keeps answering; returns how many were
    emptied."""
    client = server.client()
    names = client.list_tables()["TableNames"]
    for name in names:
        client.delete_table(TableName=name)
    for name in names:  # deletion is asynchronous: wait before creating the same name again
        client.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1})
    ensure_tables(server)
    return len(names)


def local_env(server: LocalDynamo) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL_DYNAMODB": server.endpoint,
        "AWS_DEFAULT_REGION": LOCAL_REGION,
        "AWS_REGION": LOCAL_REGION,
        "AWS_ACCESS_KEY_ID": LOCAL_CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": LOCAL_CREDENTIALS["aws_secret_access_key"],
    } | Settings.environment(
        bookings_table_name=BOOKINGS_TABLE,
        sessions_table_name=SESSIONS_TABLE,
        idempotency_table_name=IDEMPOTENCY_TABLE,
    )
