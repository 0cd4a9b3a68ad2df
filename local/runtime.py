"""Runs the real handlers on this machine.

`LocalRuntime` provides what AWS and OpenAI would: the local DynamoDB server, the model
endpoint (the offline stand-in unless OPENAI_API_KEY is set), the environment the CDK stack
would set, API Gateway's events and Lambda's invoke. It never re-implements handler logic.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
from dataclasses import dataclass

from local.dynamodb import LocalDynamo, local_dynamodb, local_env
from local.events import LocalLambdaContext, http_api_event
from local.patterns import PatternSpec, pattern

OFFLINE_LABEL = (
    "offline model: a deterministic rule-based stand-in for development and tests, not an LLM "
    "(set OPENAI_API_KEY to use OpenAI)"
)


@dataclass
class HttpResult:
    status: int
    body: dict
    headers: dict


class LocalRuntime(contextlib.ExitStack):
    def __init__(self, *, advertise_database: bool = False) -> None:
        super().__init__()
        self.advertise_database = advertise_database
        self.offline = not os.environ.get("OPENAI_API_KEY")
        self.database: LocalDynamo | None = None
        self.model_base_url: str | None = None

    def __enter__(self) -> LocalRuntime:
        super().__enter__()
        try:
            self.database = self.enter_context(local_dynamodb(self.advertise_database))
            env = local_env(self.database)
            if self.offline:
                from local.offline_model import start_offline_model

                model = self.enter_context(start_offline_model())
                self.model_base_url = model.base_url
                env |= {
                    "OPENAI_BASE_URL": model.base_url,
                    "OPENAI_API_KEY": "offline-stand-in",
                    "OPENAI_MODEL": "offline-stand-in",
                }
            env |= {
                "AUTH_MODE": "iam",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_NAMESPACE": "AiOrchestrationPatterns",
                "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
                "OPENAI_AGENTS_DISABLE_TRACING": os.environ.get(
                    "OPENAI_AGENTS_DISABLE_TRACING", "1"
                ),
            }
            for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):  # never reach a real account
                os.environ.pop(name, None)
            os.environ.update(env)
        except BaseException:
            self.close()
            raise
        return self

    @property
    def model_label(self) -> str:
        return OFFLINE_LABEL if self.offline else f"OpenAI ({os.environ.get('OPENAI_MODEL')})"

    # -- Lambda ----------------------------------------------------------------------------
    def invoke(self, handler_path: str, event: dict, function_name: str) -> dict:
        module_name, _, attr = handler_path.partition(":")
        handler = getattr(importlib.import_module(module_name), attr or "handler")
        return handler(event, LocalLambdaContext(function_name=function_name))

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
