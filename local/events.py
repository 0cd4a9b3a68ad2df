"""API Gateway HTTP API (payload format 2.0) events and a Lambda context, as AWS builds them.

Locally the caller is whoever `--user` / `X-Patterns-User` names; it is placed where API
Gateway puts a SigV4-verified IAM caller, so the handler's identity code runs unchanged.
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field

from stacks.timeouts import API_FUNCTION_SECONDS

LOCAL_ACCOUNT = "000000000000"


def caller_arn(user: str) -> str:
    return f"arn:aws:iam::{LOCAL_ACCOUNT}:user/{user}"


def http_api_event(
    method: str,
    path: str,
    body: str | bytes | None = None,
    *,
    user: str | None = "local-user",
    headers: dict[str, str] | None = None,
    api_id: str = "local",
) -> dict:
    now = time.time()
    request_id = str(uuid.uuid4())
    is_binary = isinstance(body, bytes)
    headers = {"content-type": "application/json", "host": f"{api_id}.local", **(headers or {})}
    authorizer = None
    if user is not None:
        authorizer = {
            "iam": {
                "accessKey": "LOCALACCESSKEY",
                "accountId": LOCAL_ACCOUNT,
                "callerId": f"LOCAL{user.upper()}",
                "cognitoIdentity": None,
                "principalOrgId": None,
                "userArn": caller_arn(user),
                "userId": f"LOCAL{user.upper()}",
            }
        }
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {k.lower(): v for k, v in headers.items()},
        "requestContext": {
            "accountId": LOCAL_ACCOUNT,
            "apiId": api_id,
            **({"authorizer": authorizer} if authorizer else {}),
            "domainName": f"{api_id}.local",
            "domainPrefix": api_id,
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "patterns-local",
            },
            "requestId": request_id,
            "routeKey": f"{method} {path}",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        **(
            {"body": base64.b64encode(body).decode() if is_binary else body}
            if body is not None
            else {}
        ),
        "isBase64Encoded": is_binary,
    }


@dataclass
class LocalLambdaContext:
    """The attributes of a Lambda context object that handlers and Powertools read. Its clock
    starts when it is built and runs out after `timeout_seconds` — by default the chat
    functions' configured timeout (stacks/timeouts.py), so local runs meet the same deadline."""

    function_name: str
    memory_limit_in_mb: int = 512
    timeout_seconds: float = float(API_FUNCTION_SECONDS)
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:{LOCAL_ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
