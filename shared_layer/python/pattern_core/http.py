"""The HTTP contract every pattern serves, deployed and local.

`GET /health` and `POST /chat` through Powertools' `APIGatewayHttpResolver` with request
validation: the body is a pydantic model, so non-JSON, missing or blank messages, messages over
2,000 characters, wrong types and unknown fields are refused *before* any model call. Errors
share one shape, `{"error": {"code", "message"}}`, and never carry stack traces, table names or
secrets.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

import openai
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from booking.effects import TurnEffects, WriteBudget
from booking.errors import BookingError
from booking.models import Booking
from pattern_core.deadline import Deadline, DeadlineExceeded
from pattern_core.identity import InvalidSession, Unauthenticated, resolve_identity
from pattern_core.llm import ModelNotConfigured
from pattern_core.usage import UsageMeter

logger = Logger(child=True)

MAX_MESSAGE_CHARS = 2000


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    message: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_MESSAGE_CHARS)
    ]
    session_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{1,128}$")] | None = (
        Field(default=None, description="Continue a conversation (patterns D-H remember it).")
    )


@dataclass
class ChatTurn:
    """One validated /chat request, as the pattern's orchestration sees it."""

    message: str
    user_id: str  # from the verified identity, never from the body or a model
    session_id: str
    usage: UsageMeter
    pattern: str
    # When the answer must be ready (from the Lambda context) and what the turn may change and
    # has changed so far (written by the booking tools as they run).
    deadline: Deadline = field(default_factory=lambda: Deadline.after(27.5))
    effects: TurnEffects = field(default_factory=TurnEffects)


@dataclass
class ChatOutcome:
    """The turn's answer: the reply, and every booking made and cancelled, in order."""

    reply: str
    bookings: list[Booking] = field(default_factory=list)
    cancellations: list[Booking] = field(default_factory=list)

    @classmethod
    def of(cls, reply: str, effects: TurnEffects) -> ChatOutcome:
        return cls(reply, list(effects.bookings), list(effects.cancellations))

    @property
    def booking(self) -> Booking | None:
        return self.bookings[0] if self.bookings else None


class ChatError(Exception):
    """An orchestration failure to report with a specific status and code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str) -> Response:
    return Response(
        status_code=status,
        content_type="application/json",
        body={"error": {"code": code, "message": message}},
    )


def build_chat_app(pattern: str, orchestrate: Callable[[ChatTurn], ChatOutcome]):
    """The resolver for one pattern: routes, validation and the error mapping."""
    app = APIGatewayHttpResolver(enable_validation=True)

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "pattern": pattern}

    @app.post("/chat")
    def chat(body: ChatRequest):  # returns a Response; unannotated so no response model is built
        usage = UsageMeter()
        user_id, session_id = resolve_identity(
            app.current_event, os.environ.get("AUTH_MODE", "iam"), body.session_id
        )
        turn = ChatTurn(
            body.message,
            user_id,
            session_id,
            usage,
            pattern,
            deadline=Deadline.from_lambda_context(app.lambda_context),
            effects=TurnEffects(WriteBudget.from_env()),
        )
        try:
            outcome = orchestrate(turn)
        except DeadlineExceeded:
            return deadline_response(turn.effects)
        except openai.APITimeoutError:
            # A model call that hit its own cap after this turn already booked or cancelled:
            # still a 504, but one that names what was done (the plain model_timeout would not).
            if turn.effects.changed_anything:
                return deadline_response(turn.effects)
            raise
        reported = usage.as_dict()
        publish_turn_metrics(pattern, reported, booked=bool(outcome.bookings))
        return Response(
            status_code=200,
            content_type="application/json",
            body={
                "reply": outcome.reply,
                "pattern": pattern,
                "session_id": session_id,
                "booking": outcome.booking.public() if outcome.booking else None,
                "bookings": [b.public() for b in outcome.bookings],
                "cancellations": [b.public() for b in outcome.cancellations],
                "usage": reported,
            },
        )

    @app.exception_handler(RequestValidationError)
    def invalid_request(exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if any(err.get("type") == "json_invalid" for err in errors):
            return error_response(400, "invalid_json", "The request body must be a JSON object.")
        details = "; ".join(_describe(err) for err in errors)
        return error_response(422, "validation_error", details or "Invalid request.")

    @app.exception_handler(Unauthenticated)
    def unauthenticated(exc: Unauthenticated) -> Response:
        return error_response(401, "unauthenticated", str(exc))

    @app.exception_handler(InvalidSession)
    def invalid_session(exc: InvalidSession) -> Response:
        return error_response(400, "invalid_session", str(exc))

    @app.exception_handler(BookingError)
    def booking_error(exc: BookingError) -> Response:
        return error_response(exc.http_status, exc.code, exc.message)

    @app.exception_handler(ChatError)
    def chat_error(exc: ChatError) -> Response:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(openai.APIError)
    def model_error(exc: openai.APIError) -> Response:
        logger.warning("model call failed", extra={"error_type": type(exc).__name__})
        if isinstance(exc, openai.RateLimitError):
            return error_response(429, "model_rate_limited", "The model is busy; retry shortly.")
        if isinstance(exc, openai.APITimeoutError):
            return error_response(504, "model_timeout", "The model did not answer in time.")
        return error_response(502, "model_error", "The model could not be reached.")

    @app.exception_handler(ModelNotConfigured)
    def model_not_configured(exc: ModelNotConfigured) -> Response:
        logger.error("model not configured")
        return error_response(502, "model_not_configured", "No model is configured.")

    @app.exception_handler(Exception)
    def unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error")  # the trace goes to the log, never to the caller
        return error_response(500, "internal_error", "Something went wrong; nothing was booked.")

    @app.not_found
    def not_found(exc: Exception) -> Response:
        return error_response(404, "not_found", "Routes are GET /health and POST /chat.")

    return app


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


def publish_turn_metrics(pattern: str, usage: dict, *, booked: bool) -> None:
    """The turn's usage as CloudWatch metrics (EMF, dimension `pattern`): the same measured
    figures as the response body, so the patterns can be compared on a dashboard. A figure
    the pattern cannot observe (`None`) is not published."""
    metrics = Metrics(
        namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "AiOrchestrationPatterns"
    )
    metrics.add_dimension("pattern", pattern)
    figures = (
        ("LLMCalls", usage["llm_calls"], MetricUnit.Count),
        ("ToolCalls", len(usage["tool_calls"]), MetricUnit.Count),
        ("InputTokens", usage["input_tokens"], MetricUnit.Count),
        ("OutputTokens", usage["output_tokens"], MetricUnit.Count),
        ("LambdaInvocations", usage["lambda_invocations"], MetricUnit.Count),
        ("StateTransitions", usage["state_transitions"], MetricUnit.Count),
        ("TurnDuration", usage["duration_ms"], MetricUnit.Milliseconds),
        ("Bookings", int(booked), MetricUnit.Count),
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
