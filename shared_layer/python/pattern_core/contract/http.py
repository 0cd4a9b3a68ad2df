"""The HTTP contract every pattern serves, deployed and local.

`GET /health` and `POST /chat` through Powertools' `APIGatewayHttpResolver` with request
validation: the body is a pydantic model, so non-JSON, missing or blank messages, messages over
2,000 characters, wrong types and unknown fields are refused *before* any model call. Before
the resolver even parses the body, the request's envelope is checked (`check_envelope`): a
content type other than JSON is 415, invalid base64 or non-UTF-8 bytes 400, a body over
`MAX_BODY_BYTES` 413, and JSON nested too deeply to parse 400 — a malformed request
is never a 500. Errors share one shape, `{"error": {"code", "message"}}`, and never carry stack
traces, table names or secrets.

An `Idempotency-Key` header makes a retry return the first answer
(`pattern_core.contract.idempotency`). `X-Patterns-Trace: 1` adds the turn's `trace` to the
answer of a request whose turn ran (`pattern_core.contract.trace`): a 200, and as well an error
the turn ended in (a deadline, a model error, a refusal), beside its `error` — where the time
went matters most when a turn fails. A request refused before its turn carries none. The trace
is added to the answer as sent, never to the answer stored for replay, so a replay — which runs
nothing — carries an empty trace on a 200 when one is asked for, and no trace otherwise,
whatever the first request asked.
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from booking.effects import TurnEffects, WriteBudget
from booking.errors import BookingError
from pattern_core.contract import idempotency, trace
from pattern_core.contract.identity import InvalidSession, Unauthenticated, resolve_identity
from pattern_core.contract.metrics import publish_error
from pattern_core.contract.reporting import reported_reply
from pattern_core.contract.turn import ChatError, ChatOutcome, ChatTurn
from pattern_core.deadline import Deadline, DeadlineExceeded
from pattern_core.model.client import ModelNotConfigured
from pattern_core.usage import UsageMeter
from settings import Settings

logger = Logger(child=True)

MAX_MESSAGE_CHARS = 2000
# The largest body /chat accepts, in bytes after base64 decoding: a 2,000-character message
# fits even when every character is a JSON `\uXXXX` escape (12,000 bytes), with room to spare.
MAX_BODY_BYTES = 16 * 1024


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    message: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_MESSAGE_CHARS)
    ]
    session_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{1,128}$")] | None = (
        Field(default=None, description="Continue a conversation (patterns D-H remember it).")
    )


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        status_code=status,
        content_type="application/json",
        body=error_body(code, message),
        headers=dict(headers or {}),
    )


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


class MalformedRequest(Exception):
    """A request whose envelope (content type, encoding, size) cannot carry a chat turn."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def check_envelope(event: Mapping) -> Mapping:
    """Refuse a body the resolver could not read, before it tries: API Gateway passes any
    content type, base64-encodes bodies it considers binary, and caps bodies at 10 MB only.
    Returns the event to route, its content type spelled as the resolver expects (media types
    are case-insensitive; Powertools compares them case-sensitively)."""
    body = event.get("body")
    if not body:
        return event  # nothing to read: the route's own validation reports a missing body
    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    media_type = str(headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if media_type not in ("", "application/json"):  # no content type means JSON
        raise MalformedRequest(
            415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json)."
        )
    if event.get("isBase64Encoded"):
        try:
            data = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedRequest(
                400, "invalid_encoding", "The body is marked base64 but is not valid base64."
            ) from None
    else:
        data = body.encode("utf-8", "surrogatepass")
    if len(data) > MAX_BODY_BYTES:
        raise MalformedRequest(
            413, "payload_too_large", f"The body may be at most {MAX_BODY_BYTES} bytes."
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedRequest(400, "invalid_encoding", "The body must be UTF-8 text.") from None
    return {**event, "headers": {**headers, "content-type": "application/json"}}


def parse_json(text: str):
    """`json.loads` for request bodies: nesting deep enough to exhaust the parser's recursion
    is invalid JSON (400), not a crash. (The chat body is one flat object, so anything merely
    deep but parseable fails validation as a 422 instead.)"""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None


class ChatResolver(APIGatewayHttpResolver):
    """Powertools' HTTP API resolver with the envelope checked before routing, and every error
    answer counted as a metric (`Errors` by pattern and status, for the dashboard)."""

    def __init__(self, pattern: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.pattern = pattern

    def resolve(self, event, context) -> dict:
        try:
            event = check_envelope(event)
        except MalformedRequest as exc:
            response = {
                "statusCode": exc.status,
                "headers": {"Content-Type": "application/json"},
                "body": json.dumps(error_body(exc.code, exc.message), separators=(",", ":")),
                "isBase64Encoded": False,
                "cookies": [],
            }
        else:
            token = _turn_trace.set(None)
            try:
                response = super().resolve(event, context)
                events = _turn_trace.get()
            finally:
                _turn_trace.reset(token)
            if events is not None:
                response = _with_trace(response, events)
        if response.get("statusCode", 200) >= 400:
            publish_error(self.pattern, response["statusCode"], _error_code(response))
        return response


# The trace of the turn this request ran, set by the /chat route when one was asked for
# (X-Patterns-Trace: 1) and read by ChatResolver.resolve: the turn's answer may be made by an
# exception handler (a model error, say), which never sees the route's locals.
_turn_trace: ContextVar[list[dict] | None] = ContextVar("patterns_turn_trace", default=None)


def _with_trace(response: dict, events: list[dict]) -> dict:
    """The response with `trace` beside its body's answer (a reply, or an `error`)."""
    try:
        body = json.loads(response.get("body") or "{}")
    except ValueError:
        return response
    if not isinstance(body, dict):
        return response
    return {**response, "body": json.dumps({**body, "trace": events}, separators=(",", ":"))}


def _error_code(response: dict) -> str:
    try:
        return str(json.loads(response.get("body") or "{}")["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return "unknown"


@dataclass(frozen=True)
class Refusal:
    """The answer to a request refused before or around its turn: a fixed status and code, and
    a fixed message or (None) the exception's own."""

    status: int
    code: str
    message: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def answer(self, exc: Exception) -> Response:
        return error_response(self.status, self.code, self.message or str(exc), self.headers)


# The identity and idempotency refusals, one entry each (their handlers are registered from it).
REFUSALS: dict[type[Exception], Refusal] = {
    idempotency.InvalidIdempotencyKey: Refusal(422, "validation_error"),
    IdempotencyValidationError: Refusal(
        422,
        "idempotency_key_reused",
        "This Idempotency-Key was used with a different request; use a new key.",
    ),
    IdempotencyAlreadyInProgressError: Refusal(
        409,
        "request_in_progress",
        "A request with this Idempotency-Key is still running; retry shortly.",
        headers={"Retry-After": str(idempotency.RETRY_AFTER_SECONDS)},
    ),
    Unauthenticated: Refusal(401, "unauthenticated"),
    InvalidSession: Refusal(400, "invalid_session"),
}


def build_chat_app(pattern: str, orchestrate: Callable[[ChatTurn], ChatOutcome]):
    """The resolver for one pattern: routes, validation and the error mapping."""
    app = ChatResolver(pattern, enable_validation=True, json_body_deserializer=parse_json)

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "pattern": pattern}

    @app.post("/chat")
    def chat(body: ChatRequest):  # returns a Response; unannotated so no response model is built
        key = idempotency.idempotency_key(app.current_event.headers)
        user_id, session_id = resolve_identity(
            app.current_event, Settings.from_env().auth_mode, body.session_id
        )

        traced = trace.requested(app.current_event.headers)

        def answer() -> idempotency.Answer:
            # This run's trace, kept apart from the stored answer; the resolver adds it to
            # whatever this request is answered, an error included (ChatResolver.resolve).
            with trace.recording(traced) as recorder:
                try:
                    result = run_turn(
                        pattern, orchestrate, body, user_id, session_id, app.lambda_context
                    )
                finally:
                    if recorder is not None:
                        _turn_trace.set(recorder.events())
            # Serialised here, once: a replay returns these very bytes.
            return {**result, "body": json.dumps(result["body"], separators=(",", ":"))}

        store = idempotency.persistence_layer() if key else None
        if key and store is None:
            logger.warning("Idempotency-Key ignored: no idempotency table is configured")
        if key and store is not None:
            result = idempotency.answer_once(
                answer,
                pattern=pattern,
                caller=user_id,
                key=key,
                request=body.model_dump(),
                context=app.lambda_context,
                store=store,
            )
        else:
            result = answer()
        if traced and _turn_trace.get() is None and result["status"] == 200:
            _turn_trace.set([])  # a replay ran nothing: its trace is empty
        return Response(
            status_code=result["status"],
            content_type="application/json",
            body=result["body"],
            headers={"Idempotent-Replayed": "true"} if result.get("replayed") else {},
        )

    @app.exception_handler(RequestValidationError)
    def invalid_request(exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if any(err.get("type") == "json_invalid" for err in errors):
            return error_response(400, "invalid_json", "The request body must be a JSON object.")
        details = "; ".join(_describe(err) for err in errors)
        return error_response(422, "validation_error", details or "Invalid request.")

    for error_type, refusal in REFUSALS.items():
        app.exception_handler(error_type)(refusal.answer)

    @app.exception_handler(BookingError)
    def booking_error(exc: BookingError) -> Response:
        return error_response(exc.http_status, exc.code, exc.message)

    @app.exception_handler(ChatError)
    def chat_error(exc: ChatError) -> Response:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(ModelNotConfigured)
    def model_not_configured(exc: ModelNotConfigured) -> Response:
        logger.error("model not configured", extra={"secret_name": exc.secret_name})
        return error_response(503, "model_not_configured", str(exc))

    @app.exception_handler(Exception)
    def unexpected(exc: Exception) -> Response:
        model_failure = model_error_response(exc)
        if model_failure is not None:
            return model_failure
        logger.exception("unhandled error")  # the trace goes to the log, never to the caller
        return error_response(500, "internal_error", "Something went wrong; nothing was booked.")

    @app.not_found
    def not_found(exc: Exception) -> Response:
        return error_response(404, "not_found", "Routes are GET /health and POST /chat.")

    return app


def _model_sdk():
    """The OpenAI SDK if this process loaded it, else None: a function that never called the
    model (C's API, H) cannot meet its errors, so it never imports the SDK to name them."""
    return sys.modules.get("openai")


def model_error_response(exc: Exception) -> Response | None:
    """The contract's answer to a failed model call, or None if `exc` is not one."""
    openai = _model_sdk()
    if openai is None or not isinstance(exc, openai.APIError):
        return None
    logger.warning("model call failed", extra={"error_type": type(exc).__name__})
    if isinstance(exc, openai.RateLimitError):
        return error_response(429, "model_rate_limited", "The model is busy; retry shortly.")
    if isinstance(exc, openai.APITimeoutError):
        return error_response(504, "model_timeout", "The model did not answer in time.")
    if isinstance(exc, openai.APIResponseValidationError):
        return error_response(502, "model_error", "The model's answer was not understood.")
    return error_response(502, "model_error", "The model could not be reached.")


def _is_model_timeout(exc: Exception) -> bool:
    openai = _model_sdk()
    return openai is not None and isinstance(exc, openai.APITimeoutError)


def run_turn(
    pattern: str,
    orchestrate: Callable[[ChatTurn], ChatOutcome],
    request: ChatRequest,
    user_id: str,
    session_id: str,
    context,
) -> idempotency.Answer:
    """One turn as {status, body}: the 200, or the orchestration's own refusal (a domain
    error, a ChatError) or the deadline's 504. Anything else propagates to the resolver's
    exception handlers, so it is never stored as an idempotent answer."""
    usage = UsageMeter()
    turn = ChatTurn(
        request.message,
        user_id,
        session_id,
        usage,
        pattern,
        deadline=Deadline.from_lambda_context(context),
        effects=TurnEffects(WriteBudget.from_env()),
    )
    try:
        outcome = orchestrate(turn)
    except DeadlineExceeded:
        response = deadline_response(turn.effects)
        return {"status": response.status_code, "body": response.body}
    except BookingError as exc:
        return {"status": exc.http_status, "body": error_body(exc.code, exc.message)}
    except ChatError as exc:
        return {"status": exc.status, "body": error_body(exc.code, exc.message)}
    except Exception as exc:
        # A model call that hit its own cap after this turn already booked or cancelled: still
        # a 504, but one that names what was done (the plain model_timeout would not).
        if not (_is_model_timeout(exc) and turn.effects.changed_anything):
            raise
        response = deadline_response(turn.effects)
        return {"status": response.status_code, "body": response.body}
    reported = usage.as_dict()
    publish_turn_metrics(
        pattern,
        reported,
        bookings=len(outcome.bookings),
        cancellations=len(outcome.cancellations),
    )
    return {
        "status": 200,
        "body": {
            # Whatever the pattern's reply says, it never reports less than was done.
            "reply": reported_reply(outcome.reply, outcome.bookings, outcome.cancellations),
            "pattern": pattern,
            "session_id": session_id,
            "booking": outcome.booking.public() if outcome.booking else None,
            "bookings": [b.public() for b in outcome.bookings],
            "cancellations": [b.public() for b in outcome.cancellations],
            "usage": reported,
        },
    }


def deadline_response(effects: TurnEffects) -> Response:
    """504 in the contract's body; a booking already made is named, never lost."""
    done = "; ".join(
        [f"booked {b.court} on {b.date} at {b.time} ({b.booking_id})" for b in effects.bookings]
        + [f"cancelled {b.booking_id}" for b in effects.cancellations]
    )
    message = "The request ran out of time. " + (
        f"Already done: {done}." if done else "Nothing was booked or cancelled."
    )
    response = error_response(504, "deadline_exceeded", message)
    response.body["error"]["bookings"] = [b.public() for b in effects.bookings]
    response.body["error"]["cancellations"] = [b.public() for b in effects.cancellations]
    return response


def publish_turn_metrics(pattern: str, usage: dict, *, bookings: int, cancellations: int) -> None:
    """The turn's usage as CloudWatch metrics (EMF, dimension `pattern`): the same measured
    figures as the response body, and how many courts it booked and bookings it cancelled, so
    the patterns can be compared on a dashboard. A figure the pattern cannot observe (`None`)
    is not published."""
    metrics = Metrics(namespace=Settings.from_env().powertools_metrics_namespace)
    metrics.add_dimension("pattern", pattern)
    figures = (
        ("LLMCalls", usage["llm_calls"], MetricUnit.Count),
        ("ToolCalls", len(usage["tool_calls"]), MetricUnit.Count),
        ("InputTokens", usage["input_tokens"], MetricUnit.Count),
        ("OutputTokens", usage["output_tokens"], MetricUnit.Count),
        ("LambdaInvocations", usage["lambda_invocations"], MetricUnit.Count),
        ("StateTransitions", usage["state_transitions"], MetricUnit.Count),
        ("TurnDuration", usage["duration_ms"], MetricUnit.Milliseconds),
        ("Bookings", bookings, MetricUnit.Count),
        ("Cancellations", cancellations, MetricUnit.Count),
    )
    for name, value, unit in figures:
        if value is not None:
            metrics.add_metric(name=name, unit=unit, value=value)
    metrics.flush_metrics()
    # With POWERTOOLS_METRICS_DISABLED (local runs, tests) flush prints nothing and keeps the
    # set; clear it so a long-lived process does not accumulate every turn's metrics.
    metrics.clear_metrics()


def _describe(err: dict) -> str:
    loc = [str(part) for part in err.get("loc", ()) if part != "body"]
    where = ".".join(loc) or "body"
    if err.get("type") == "extra_forbidden":
        return f"{where}: unknown field"
    return f"{where}: {err.get('msg', 'invalid')}"
