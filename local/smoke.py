"""`patterns smoke --stack PatternX`: check a deployed pattern against the HTTP contract.

Finds the stack's `ApiUrl` output (or takes `--url`), signs every request with SigV4 for
`execute-api` using your AWS credentials (IAM mode; unsigned when the stack is public), and
checks: `/health`, that bad input is refused with the error shape before any model call, that
an availability question gets a well-formed 200 body, and — with `--book` — that a booking is
made and then cancelled again, so a smoke run leaves nothing behind.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

USAGE_KEYS = {
    "llm_calls",
    "tool_calls",
    "input_tokens",
    "output_tokens",
    "lambda_invocations",
    "state_transitions",
    "duration_ms",
}
BODY_KEYS = {"reply", "pattern", "session_id", "booking", "usage"}


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


Send = Callable[[str, str, dict | str | None], tuple[int, dict]]


def stack_endpoint(stack: str, region: str | None = None) -> tuple[str, str]:
    """(ApiUrl, AuthMode) from the stack's outputs."""
    import boto3

    described = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Stacks"][0].get("Outputs", [])}
    if "ApiUrl" not in outputs:
        raise KeyError(f"stack {stack} has no ApiUrl output")
    return outputs["ApiUrl"].rstrip("/"), outputs.get("AuthMode", "iam")


def http_sender(base_url: str, *, sign: bool, region: str | None = None) -> Send:
    """A function that sends one JSON request, SigV4-signed when `sign`."""
    session = credentials = None
    if sign:
        import boto3

        session = boto3.Session(region_name=region)
        credentials = session.get_credentials()
        if credentials is None:
            raise RuntimeError("No AWS credentials to sign with (IAM mode needs them).")

    def send(method: str, path: str, body: dict | str | None) -> tuple[int, dict]:
        data = None if body is None else (body if isinstance(body, str) else json.dumps(body))
        headers = {"content-type": "application/json"} if data is not None else {}
        url = base_url + path
        if sign:
            from botocore.auth import SigV4Auth
            from botocore.awsrequest import AWSRequest

            request = AWSRequest(method=method, url=url, data=data, headers=headers)
            SigV4Auth(
                credentials.get_frozen_credentials(), "execute-api", session.region_name
            ).add_auth(request)
            headers = dict(request.headers.items())
        raw = urllib.request.Request(
            url, data=data.encode() if data else None, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(raw, timeout=35) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    return send


def run_checks(send: Send, pattern_id: str | None, *, book: bool) -> list[Check]:
    checks: list[Check] = []

    status, body = send("GET", "/health", None)
    checks.append(
        Check(
            "health",
            status == 200
            and body.get("status") == "ok"
            and (pattern_id is None or body.get("pattern") == pattern_id),
            f"{status} {body}",
        )
    )

    status, body = send("POST", "/chat", {"message": ""})
    checks.append(
        Check(
            "bad input refused",
            status == 422 and "error" in body,
            f"{status} {body.get('error', body)}",
        )
    )

    status, body = send("POST", "/chat", {"message": "What's free tomorrow afternoon?"})
    well_formed = status == 200 and set(body) >= BODY_KEYS and set(body["usage"]) >= USAGE_KEYS
    checks.append(
        Check(
            "availability turn",
            well_formed and body.get("booking") is None,
            f"{status} {body.get('reply', body)}",
        )
    )

    if book:
        status, body = send("POST", "/chat", {"message": "Book tomorrow at 3pm"})
        booking = body.get("booking") if status == 200 else None
        checks.append(
            Check("booking turn", booking is not None, f"{status} {body.get('reply', body)}")
        )
        if booking:
            status, body = send(
                "POST", "/chat", {"message": f"Cancel booking {booking['booking_id']}"}
            )
            checks.append(
                Check(
                    "cancel turn",
                    status == 200 and "ancel" in body.get("reply", ""),
                    f"{status} {body.get('reply', body)}",
                )
            )
    return checks
