"""Runs the real handlers on this machine.

`LocalRuntime` provides what AWS and OpenAI would: the local DynamoDB server, the model
endpoint (the offline stand-in unless OPENAI_API_KEY is set), the environment the CDK stack
would set, API Gateway's events and Lambda's invoke. It never re-implements handler logic.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import threading
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass

from botocore.response import StreamingBody

from local.aws_overrides import AwsOverrides
from local.dynamodb import LocalDynamo, local_dynamodb, local_env, reset
from local.events import LocalLambdaContext, http_api_event
from local.patterns import PATTERNS, PatternSpec, pattern
from settings import Settings, env_key
from stacks import timeouts

OFFLINE_LABEL = (
    "offline model: a deterministic rule-based stand-in for development and tests, not an LLM "
    "(set OPENAI_API_KEY to use OpenAI)"
)


@dataclass
class HttpResult:
    status: int
    body: dict
    headers: dict


def client_timeout_env() -> dict[str, str]:
    """The client timeouts the stacks give their functions (one process plays them all here,
    so each function's own deadline is what tells them apart)."""
    return Settings.environment(
        openai_timeout_seconds=timeouts.MODEL_CALL_SECONDS,
        sfn_read_timeout_seconds=timeouts.C_EXECUTION_READ_SECONDS,
        specialist_read_timeout_seconds=timeouts.G_SPECIALIST_READ_SECONDS,
        agent_read_timeout_seconds=timeouts.H_AGENT_READ_SECONDS,
    )


class LocalRuntime(contextlib.ExitStack):
    def __init__(self, *, advertise_database: bool = False) -> None:
        super().__init__()
        self.advertise_database = advertise_database
        self.offline = Settings.from_env().openai_api_key is None
        self.database: LocalDynamo | None = None
        self.model_base_url: str | None = None
        self.aws: AwsOverrides | None = None
        self.functions: dict[str, str] = {}  # Lambda function name -> "module:function"
        # Lambda function name -> its configured timeout, as the stacks set it (the chat
        # functions, unnamed here, have the default). A test may shorten them.
        self.function_timeouts: dict[str, float] = {}
        self.invocations: Counter[str] = Counter()
        # One warm container per function: Lambda hands a container one event at a time, and
        # the handlers' resolvers keep per-request state, so concurrent calls of one function
        # queue here (different functions run concurrently). Atomicity under real concurrency
        # is proved at the store, against the local DynamoDB server.
        self._containers: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)

    def __enter__(self) -> LocalRuntime:
        super().__enter__()
        try:
            self.database = self.enter_context(local_dynamodb(self.advertise_database))
            env = local_env(self.database)
            if self.offline:
                from local.offline_model import start_offline_model
                from local.offline_model.wire import MODEL_NAME

                model = self.enter_context(start_offline_model())
                self.model_base_url = model.base_url
                env |= {"OPENAI_BASE_URL": model.base_url} | Settings.environment(
                    openai_api_key=MODEL_NAME, openai_model=MODEL_NAME
                )
            env |= Settings.environment(
                auth_mode="iam",
                powertools_trace_disabled="true",
                powertools_metrics_namespace=Settings.default("powertools_metrics_namespace"),
                # The Agents SDK reads this switch itself: a caller's own value goes through.
                openai_agents_disable_tracing=os.environ.get(
                    env_key("openai_agents_disable_tracing"), "1"
                ),
            )
            env |= {  # Powertools' own switches, not the project's settings
                # In AWS the turn's usage becomes CloudWatch metrics; here it is in the body.
                "POWERTOOLS_METRICS_DISABLED": os.environ.get(
                    "POWERTOOLS_METRICS_DISABLED", "true"
                ),
                "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            }
            env |= client_timeout_env()
            for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):  # never reach a real account
                os.environ.pop(name, None)
            os.environ.update(env)
            self.aws = self.enter_context(AwsOverrides())
            self.aws.override("lambda", "Invoke", self._lambda_invoke)
            for spec in PATTERNS.values():
                if spec.local_setup is not None:
                    spec.local_setup(self)
        except BaseException:
            self.close()
            raise
        return self

    @property
    def model_label(self) -> str:
        return OFFLINE_LABEL if self.offline else f"OpenAI ({Settings.from_env().openai_model})"

    def fresh_tables(self) -> None:
        """Empty every local table (same server, so cached clients stay valid)."""
        reset(self.database)

    # -- Lambda ----------------------------------------------------------------------------
    def invoke(self, handler_path: str, event: dict, function_name: str) -> dict:
        """Run the handler with a Lambda context whose time is the function's configured
        timeout: the handler's deadline is the one it has deployed."""
        module_name, _, attr = handler_path.partition(":")
        handler = getattr(importlib.import_module(module_name), attr or "handler")
        with self.container(function_name):
            context = LocalLambdaContext(
                function_name=function_name, timeout_seconds=self.function_timeout(function_name)
            )
            return handler(event, context)

    def container(self, function_name: str) -> threading.Lock:
        """The lock that stands for the function's one warm container."""
        return self._containers[function_name]

    def function_timeout(self, name: str) -> float:
        return self.function_timeouts.get(name, float(timeouts.API_FUNCTION_SECONDS))

    def register_function(
        self, name: str, handler_path: str, *, timeout_seconds: float | None = None
    ) -> None:
        """Make `lambda:Invoke` of `name` (or its ARN) run `handler_path` in this process,
        with the function's configured timeout (default: a chat function's)."""
        self.functions[name] = handler_path
        if timeout_seconds is not None:
            self.function_timeouts[name] = float(timeout_seconds)

    def _lambda_invoke(self, params: dict) -> dict:
        from local.aws_overrides import ServiceError

        name = params["FunctionName"]
        if name.startswith("arn:"):
            name = name.split(":")[6]  # arn:aws:lambda:region:account:function:NAME[:qualifier]
        handler_path = self.functions.get(name)
        if handler_path is None:
            raise ServiceError("ResourceNotFoundException", f"Function not found: {name}", 404)
        payload = json.loads(params.get("Payload") or b"{}")
        self.invocations[name] += 1
        extra: dict = {}
        try:
            result = self.invoke(handler_path, payload, name)
        except Exception as exc:  # what Lambda reports for an unhandled error
            result = {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "stackTrace": traceback.format_exc().splitlines(),
            }
            extra = {"FunctionError": "Unhandled"}
        data = json.dumps(result).encode()
        return {
            "StatusCode": 200,
            "ExecutedVersion": "$LATEST",
            **extra,
            "Payload": StreamingBody(io.BytesIO(data), len(data)),
        }

    # -- HTTP API --------------------------------------------------------------------------
    def request(
        self,
        spec: PatternSpec,
        method: str,
        path: str,
        body: str | bytes | None = None,
        *,
        user: str | None = "local-user",
        headers: dict[str, str] | None = None,
    ) -> HttpResult:
        event = http_api_event(method, path, body, user=user, headers=headers)
        response = self.invoke(spec.handler, event, f"pattern-{spec.id.lower()}-chat")
        raw = response.get("body") or "{}"
        return HttpResult(
            status=response.get("statusCode", 200),
            body=json.loads(raw),
            headers=response.get("headers") or {},
        )

    def chat(
        self, key: str, message: str, *, session_id: str | None = None, user: str = "local-user"
    ) -> HttpResult:
        payload = {"message": message}
        if session_id:
            payload["session_id"] = session_id
        return self.request(pattern(key), "POST", "/chat", json.dumps(payload), user=user)
