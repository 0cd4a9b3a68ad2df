"""Answer chosen AWS API calls in-process, at the SDK boundary.

Handlers call AWS exactly as deployed (`boto3.client("lambda").invoke(...)`,
`stepfunctions.start_sync_execution(...)`, `bedrock-agent-runtime.invoke_agent(...)`); locally
botocore's `before-call` event short-circuits the chosen operations to a Python function
that plays the service. Nothing in the handler knows, and every other call (DynamoDB to the
local server) goes over the wire as usual.

    with AwsOverrides() as aws:
        aws.override("lambda", "Invoke", lambda params: {"StatusCode": 200, "Payload": ...})
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

Operation = Callable[[dict[str, Any]], dict[str, Any]]
_PARAMS_KEY = "patterns_local_api_params"


class ServiceError(Exception):
    """Raise from an override to make the SDK raise a ClientError with this code."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class AwsOverrides:
    def __init__(self, session: boto3.Session | None = None) -> None:
        if session is None:
            boto3.setup_default_session()
            session = boto3.DEFAULT_SESSION
        self.events = session.events
        self._registered: list[tuple[str, Callable]] = []

    def override(self, service_id: str, operation: str, fn: Operation) -> None:
        """`service_id` as botocore hyphenizes it: "lambda", "sfn", "bedrock-agent-runtime"."""

        def keep_params(params, context, **_):
            context[_PARAMS_KEY] = dict(params)

        def answer(context, **_):
            params = context.get(_PARAMS_KEY, {})
            try:
                return AWSResponse("local://", 200, {}, None), fn(params)
            except ServiceError as error:
                body = {
                    "Error": {"Code": error.code, "Message": error.message},
                    "ResponseMetadata": {"HTTPStatusCode": error.status},
                }
                return AWSResponse("local://", error.status, {}, None), body

        for event, handler in (
            (f"before-parameter-build.{service_id}.{operation}", keep_params),
            (f"before-call.{service_id}.{operation}", answer),
        ):
            self.events.register(event, handler)
            self._registered.append((event, handler))

    def close(self) -> None:
        for event, handler in self._registered:
            self.events.unregister(event, handler)
        self._registered.clear()

    def __enter__(self) -> AwsOverrides:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["AwsOverrides", "ClientError", "ServiceError"]
