"""A model endpoint that never answers: every pattern still answers in time, in its own words.

A fake endpoint on 127.0.0.1 accepts each request and then says nothing until the test ends
(`SilentEndpoint`). Patterns A-G reach it as their OpenAI endpoint (`OPENAI_BASE_URL`);
pattern H, which calls no OpenAI model, reaches it as Bedrock (`AWS_ENDPOINT_URL_*`), so the
invoker's real client and stream code wait on it. Each chat handler must return a 504 in the
contract's error shape while its Lambda context still has time left, with nothing booked in
the store and no retry that could not have finished.

The clocked turn runs on a warm container: one question answered by the offline stand-in
first loads what a turn loads on first use (the model SDK's request path, the agent runner),
so the short budget below goes to the model call under test, not to the first turn's imports,
whatever else the machine is doing (on a loaded CI machine E's first turn once spent its whole
2.5 s before reaching the model). Then the container's clients are dropped and rebuilt against
the silent endpoint, as a new deployment's would be.

To keep the suite fast the handlers run with a short function timeout — a Lambda context of
`FUNCTION_SECONDS` (C's step functions `STEP_SECONDS`, inside its API function's) instead of
the deployed timeouts of stacks/timeouts.py. The mechanism is the same: the deadline comes from the
context's remaining time, whatever the function's timeout is.
"""

from __future__ import annotations

import contextlib
import http.server
import importlib
import threading

import pytest

from local.aws_overrides import AwsOverrides
from local.bedrock_simulation import LOCAL_ENV
from local.events import LocalLambdaContext
from local.runtime import LocalRuntime
from local.step_functions import STEP_FUNCTIONS, LocalStepFunctions, local_definition
from pattern_core import collaborators
from pattern_g.wiring import FUNCTION_SETTING, LOCAL_FUNCTION_NAMES, SPECIALIST_HANDLERS
from settings import env_key
from tests.integration.chat_harness import ALICE, MALLORY, chat_env, offline_model
from tests.integration.conftest import TABLE
from tests.utils import chat_event, response_json

__all__ = ["chat_env", "offline_model"]  # fixtures used by name below

FUNCTION_SECONDS = 4.0  # each chat function's timeout in these tests
STEP_SECONDS = 3.0  # pattern C's step functions' timeout in these tests
# C's API function waits for a whole execution, which moto's interpreter takes a few seconds
# to set up and run here: its timeout stays above its steps', as deployed.
C_FUNCTION_SECONDS = 12.0
SILENCE_LIMIT_SECONDS = 30.0  # the endpoint's own bound: it never holds a thread longer


class SilentEndpoint:
    """An HTTP server on loopback that reads each request and never answers it. Requests are
    counted; held connections are released (closed unanswered) when the endpoint stops."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.release = threading.Event()
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # every model and Bedrock call here is a POST
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                endpoint.requests.append(self.path)
                endpoint.release.wait(SILENCE_LIMIT_SECONDS)
                self.close_connection = True

            def log_message(self, *args) -> None:  # keep test output clean
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SilentEndpoint:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def silent():
    with SilentEndpoint() as endpoint:
        yield endpoint


@pytest.fixture
def unanswered(chat_env, silent, monkeypatch):
    """The deployed environment, with the silent endpoint as the model (and as Bedrock)."""
    monkeypatch.setenv("OPENAI_BASE_URL", f"{silent.url}/v1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", silent.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", silent.url)
    for name, value in LOCAL_ENV.items():  # H's agent ids, harness and gateway
        monkeypatch.setenv(name, value)
    yield silent


@contextlib.contextmanager
def local_aws(monkeypatch):
    """Lambda invoke and Step Functions played in-process, as `patterns` runs them, with
    C's step functions on the tests' short timeout."""
    runtime = LocalRuntime()  # not started: only its in-process Lambda dispatch is used
    for name, handler in STEP_FUNCTIONS.values():
        runtime.register_function(name, handler, timeout_seconds=STEP_SECONDS)
    for key, name in LOCAL_FUNCTION_NAMES.items():
        module, _, function = SPECIALIST_HANDLERS[key].rpartition(".")
        runtime.register_function(name, f"pattern_g.{module}:{function}")
        monkeypatch.setenv(env_key(FUNCTION_SETTING[key]), name)
    state_machine = "arn:aws:states:us-east-1:123456789012:stateMachine:PatternCWorkflow"
    monkeypatch.setenv("STATE_MACHINE_ARN", state_machine)
    step_functions = LocalStepFunctions({state_machine: local_definition()})
    with AwsOverrides() as aws:
        aws.override("lambda", "Invoke", runtime._lambda_invoke)
        aws.override("sfn", "StartSyncExecution", step_functions.start_sync_execution)
        yield


def warm_up(handler, offline_model, monkeypatch) -> None:
    """One question (nothing booked) answered by the stand-in, by another caller, on the
    function's deployed timeout: the turn's first-use imports are paid here, off the clock."""
    with monkeypatch.context() as warm:
        warm.setenv("OPENAI_BASE_URL", offline_model.base_url)
        collaborators.reset()
        response = handler(
            chat_event({"message": "What is free tomorrow?"}, caller_arn=MALLORY),
            LocalLambdaContext(function_name="pattern-warm-up"),
        )
    assert response["statusCode"] == 200, response["body"]


def chat_once(pattern: str, message: str = "Book tomorrow at 3pm") -> tuple[int, dict, float]:
    """One signed /chat through the pattern's deployed handler, with new clients and a short
    function timeout: (status, body, seconds the context had left on return)."""
    module = f"pattern_{pattern.lower()}.handler"
    collaborators.reset()
    handler = importlib.import_module(module).handler
    context = LocalLambdaContext(
        function_name=f"pattern-{pattern.lower()}-chat",
        timeout_seconds=C_FUNCTION_SECONDS if pattern == "C" else FUNCTION_SECONDS,
    )
    response = handler(chat_event({"message": message}, caller_arn=ALICE), context)
    return response["statusCode"], response_json(response), context.get_remaining_time_in_millis()


def stored_bookings(dynamodb) -> list[dict]:
    return dynamodb.scan(TableName=TABLE)["Items"]


@pytest.mark.parametrize("pattern", list("ABCDEFG"))
def test_a_model_that_never_answers_is_a_504_in_time_with_nothing_booked(
    pattern, unanswered, offline_model, dynamodb, monkeypatch
):
    with local_aws(monkeypatch):
        handler = importlib.import_module(f"pattern_{pattern.lower()}.handler").handler
        warm_up(handler, offline_model, monkeypatch)
        status, body, left_ms = chat_once(pattern)

    assert status == 504, body
    assert body["error"]["code"] == "deadline_exceeded"
    assert (
        "Nothing was booked" in body["error"]["message"]
        or "check your bookings" in (body["error"]["message"])
    )
    assert left_ms > 0  # answered before the function's own timeout would have cut it off
    assert stored_bookings(dynamodb) == []
    # One model call was started and none retried: a second attempt could not have fitted.
    assert len(unanswered.requests) == 1


@pytest.mark.parametrize("engine", ["bedrock_agent", "agentcore"])
def test_a_managed_agent_that_never_answers_is_a_504_in_time_with_nothing_booked(
    engine, unanswered, dynamodb, monkeypatch
):
    monkeypatch.setenv("H_ENGINE", engine)

    status, body, left_ms = chat_once("H")

    assert status == 504, body
    assert body["error"]["code"] == "deadline_exceeded"
    assert "check your bookings" in body["error"]["message"]
    assert left_ms > 0
    assert stored_bookings(dynamodb) == []
    # InvokeAgent / InvokeHarness run the whole agent loop: never retried automatically.
    assert len(unanswered.requests) == 1
