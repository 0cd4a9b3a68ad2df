"""Test-wide setup: no test can reach a real AWS account or OpenAI, and every test that
books does so on moto-backed DynamoDB (the table `local.dynamodb` builds, the same key schema
the stacks deploy) through the real `DynamoBookingStore`: there is no in-memory store.

Tests marked `local_server` need the local DynamoDB server (Node.js and dynalite from
`npm ci`); without it they skip and say so. Under pytest-xdist each worker is its own process
with its own moto state, temporary directories and (`local_dynamodb_server`) local server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import os
import shutil
import threading
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import boto3
import botocore.loaders
import botocore.session
import httpcore2
import pytest
from moto import mock_aws

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_SERVICE_NAME": "patterns-tests",
        "POWERTOOLS_METRICS_DISABLED": "true",  # tests that check metrics turn them back on
        "OPENAI_AGENTS_DISABLE_TRACING": "1",
    }
)
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
    os.environ.pop(_name, None)

# Every boto3 session made in a test process (each moto mock's, each `AwsOverrides`', each local
# runtime's) reads the same botocore data files; one loader per data path caches what they
# read, so a client on a new session costs ~15 ms CPU instead of ~0.1 s. The files never change
# while tests run, and a deployed function has one session per container anyway.
botocore.session.create_loader = functools.cache(botocore.loaders.create_loader)
# Likewise every model client (a fresh one per case: each case is a fresh container) builds a
# TLS context and reads the CA bundle into it (~33 ms CPU, ~25 s over the corpus), though the
# offline model speaks plain HTTP and no test opens a TLS connection: one per process.
httpcore2.default_ssl_context = functools.cache(httpcore2.default_ssl_context)

from booking.schedule import Schedule  # noqa: E402
from booking.service import BookingService  # noqa: E402
from booking.store import DynamoBookingStore  # noqa: E402
from local.dynamodb import (  # noqa: E402
    LocalDynamo,
    create_bookings_table,
    local_dynamodb,
)
from local.paths import PROJECT_ROOT  # noqa: E402

TABLE = "bookings-under-test"

# Tuesday 24 Nov 2026, 10:30 in the courts' time zone: 09:00 and 10:00 today are past.
NOW = dt.datetime(2026, 11, 24, 10, 30, tzinfo=ZoneInfo("UTC"))
TODAY = NOW.date()
TOMORROW = TODAY + dt.timedelta(days=1)


def local_server_missing() -> str | None:
    """Why the local DynamoDB server cannot start here, or None if it can."""
    if shutil.which("node") is None:
        return "needs Node.js (>= 20) for the local DynamoDB server, then `npm ci`"
    if not (PROJECT_ROOT / "node_modules" / "dynalite" / "cli.js").exists():
        return "needs the local DynamoDB server (dynalite): run `npm ci` in the project root"
    return None


def pytest_collection_finish(session) -> None:
    """What collection imported (the SDKs, moto, botocore's models, the CDK: most of a worker's
    heap) lives as long as the worker: frozen out of the garbage collector's way, so a full
    collection during the tests walks only what the tests made (as `pattern_core.init_phase`
    does for a function's INIT in Lambda)."""
    gc.freeze()


def pytest_collection_modifyitems(config, items) -> None:
    """Skip, with the fix in the reason, every test that needs a server this machine lacks."""
    missing = local_server_missing()
    if missing is None:
        return
    for item in items:
        if item.get_closest_marker("local_server") is not None:
            item.add_marker(pytest.mark.skip(reason=missing))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist (`-n`): each test module runs on one worker, so a module-scoped
    fixture (a synth, a started runtime, a bench run) is set up once; and the infrastructure
    tests all run on one worker, since they share one synth per stack (`synthesized` is
    cached per process) and one jsii runtime."""
    from xdist.scheduler import LoadScopeScheduling

    class ModulesInfrastructureTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/infrastructure/"):
                return "tests/infrastructure"
            return super()._split_scope(nodeid)

    return ModulesInfrastructureTogether(config, log)


@pytest.fixture(scope="session")
def local_dynamodb_server(tmp_path_factory) -> Iterator[LocalDynamo]:
    """One local DynamoDB server for this test process (each xdist worker has its own: its
    own data directory and a free port), started on first use and stopped at the end."""
    missing = local_server_missing()
    if missing is not None:
        pytest.skip(missing)
    home = tmp_path_factory.mktemp("local-dynamodb")
    with contextlib.ExitStack() as stack:
        # The server keeps its data, lock and log under PATTERNS_HOME, read when it starts:
        # set for the start only, so no other test inherits this home.
        previous = os.environ.get("PATTERNS_HOME")
        os.environ["PATTERNS_HOME"] = str(home)
        try:
            server = stack.enter_context(local_dynamodb())
        finally:
            if previous is None:
                os.environ.pop("PATTERNS_HOME", None)
            else:
                os.environ["PATTERNS_HOME"] = previous
        yield server


@pytest.fixture
def schedule() -> Schedule:
    return Schedule(clock=lambda: NOW)


@pytest.fixture(scope="session")
def dynamodb_client():
    """One client for the session: moto intercepts a client made before `mock_aws` starts as
    well, and building one costs more than a whole moto table."""
    return boto3.client("dynamodb")


# moto's state is fresh for every test; boto3's default session is not replaced by an empty
# one (moto's default), so the service models it has loaded are reused: a client made on a
# fresh session costs ~0.1 s CPU, on a warm one ~5 ms. Outside moto the default session lives
# for the whole process anyway, and its credentials are this file's fake ones.
MOTO_CONFIG = {"core": {"reset_boto3_session": False}}


@pytest.fixture
def moto_aws(monkeypatch):
    """moto for this test, with fresh state; the local server's endpoint (if set) is ignored."""
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    with mock_aws(config=MOTO_CONFIG):
        yield


@pytest.fixture
def dynamodb(moto_aws, dynamodb_client):
    """The bookings table under moto, built by the local runtime's own table builder."""
    create_bookings_table(dynamodb_client, TABLE)
    return dynamodb_client


@pytest.fixture
def db_calls(dynamodb) -> Iterator[list[str]]:
    """The operations of every DynamoDB call made through the fixtures' client, in order
    (botocore's `before-call` event: once per API call)."""
    made: list[str] = []

    def count(model, **_kwargs) -> None:
        made.append(model.name)

    dynamodb.meta.events.register("before-call.dynamodb", count)
    try:
        yield made
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb", count)


class OneRequestAtATime:
    """A DynamoDB client whose requests run one at a time. DynamoDB applies each request —
    a conditional write's check and write included — atomically; moto does not when tests run
    tools in parallel threads, so a lost update could make a test flaky. Serialising requests
    gives moto DynamoDB's per-request atomicity back (concurrency itself is proved against the
    local DynamoDB server)."""

    def __init__(self, client) -> None:
        self._client, self._lock = client, threading.RLock()

    def __getattr__(self, name: str):
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def one_at_a_time(*args, **kwargs):
            with self._lock:
                return attribute(*args, **kwargs)

        return one_at_a_time


@pytest.fixture
def store(dynamodb) -> DynamoBookingStore:
    return DynamoBookingStore(TABLE, OneRequestAtATime(dynamodb))


@pytest.fixture
def service(store, schedule) -> BookingService:
    return BookingService(store, schedule)
