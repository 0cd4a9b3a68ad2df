"""Who is asking: taken from the request's verified identity, never from the message.

`iam` mode (the default): API Gateway has verified the SigV4 signature; the caller is the IAM
principal ARN in the request context. `public` mode (explicit opt-in): there is no caller
identity, so each conversation gets a server-issued guest id: the session id is an unguessable
token issued by this API, and the guest *is* whoever holds it.
"""

from __future__ import annotations

import re
import secrets
import uuid

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

PUBLIC_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{22,128}$")


class Unauthenticated(Exception):
    """No verified caller on a route that needs one."""


class InvalidSession(Exception):
    """A session id this API could not have issued (public mode)."""


def iam_caller(event: APIGatewayProxyEventV2) -> str | None:
    authorizer = event.request_context.authorizer
    iam = authorizer.iam if authorizer else None
    return (iam.user_arn or iam.caller_id) if iam else None


def resolve_identity(
    event: APIGatewayProxyEventV2, auth_mode: str, session_id: str | None
) -> tuple[str, str]:
    """Return (user_id, session_id) for this request, issuing a session id when none is given."""
    if auth_mode == "public":
        if session_id is None:
            session_id = secrets.token_urlsafe(24)
        elif not PUBLIC_SESSION_ID.match(session_id):
            raise InvalidSession(
                "In public mode session_id must be one this API issued; omit it to start anew."
            )
        return f"guest:{session_id}", session_id
    caller = iam_caller(event)
    if not caller:
        raise Unauthenticated("This API needs a SigV4-signed request (IAM authorization).")
    return caller, session_id or str(uuid.uuid4())
