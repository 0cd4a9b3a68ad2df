"""Helpers shared by tests: real event shapes and a Lambda context."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from local.events import LocalLambdaContext

EVENTS = Path(__file__).parent / "events"


def load_event(name: str) -> dict:
    return json.loads((EVENTS / f"{name}.json").read_text())


def chat_event(body, *, caller_arn: str | None = None, raw: bool = False) -> dict:
    """The recorded IAM-signed `POST /chat` event with another body (and caller)."""
    event = copy.deepcopy(load_event("http_api_chat_iam"))
    event["body"] = body if raw else json.dumps(body)
    if caller_arn is not None:
        event["requestContext"]["authorizer"]["iam"]["userArn"] = caller_arn
    return event


def lambda_context(name: str = "pattern-test") -> LocalLambdaContext:
    return LocalLambdaContext(function_name=name)


def response_json(response: dict) -> dict:
    return json.loads(response["body"])
