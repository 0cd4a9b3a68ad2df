"""Pattern H's action Lambda: the booking tools, as the managed agent calls them.

Two callers reach this one function, and both end in the shared tool contract
(`booking.tools`), so the operations, their descriptions and argument models have one source:

* a **Bedrock Agent action group** sends an action-group event (`apiPath`, `httpMethod`,
  `parameters`, `requestBody`, `sessionAttributes`); Powertools' `BedrockAgentResolver` routes
  it and validates it, and its OpenAPI output is the action group's schema (`schema.py` builds
  the same document from the contract without importing this module; a test keeps them equal);
* an **AgentCore Gateway Lambda target** sends the tool's arguments as the event and names the
  tool in the client context (`bedrockAgentCoreToolName`, prefixed `target___`).

Identity never comes from the model. For the Bedrock Agent it is the `user_id` session
attribute the invoker set (only a principal allowed to InvokeAgent on this alias can set it);
for the gateway it is the `X-Patterns-User-Id` header the invoker put on the harness's gateway
calls, which the gateway propagates to this target. Without it, nothing runs.

**The write budget.** Each tool call is its own invocation, so this function remembers nothing
of the turn. The invoker gives every turn an id, passed the same way as the caller (the
`turn_id` session attribute; the `X-Patterns-Turn-Id` header), and a write claims the turn's
budget in the bookings table (`booking.effects.DynamoTurnCounter`: one atomic conditional
update on the `TURN#{turn_id}` item). Past the budget the tool refuses with an error the model
can act on; a write without a turn id is refused.
"""

from __future__ import annotations

import inspect
import os
from typing import Annotated, Any, get_args

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import BedrockAgentResolver, BedrockResponse
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from booking.effects import DynamoTurnCounter, TurnCounter, TurnEffects, WriteBudget
from booking.errors import BookingError
from booking.store import dynamodb_client
from booking.table import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE
from booking.tools import TOOLS, TOOLS_BY_NAME, BookingTool, invoke_tool
from pattern_core.collaborators import booking_service
from pattern_h.schema import TURN_HEADER, USER_HEADER, api_path, is_read

logger = Logger()
tracer = Tracer()

USER_ATTRIBUTE = "user_id"  # session attribute set by the invoker (Bedrock Agent)
TURN_ATTRIBUTE = "turn_id"  # session attribute: the /chat request this call belongs to
GATEWAY_TOOL_DELIMITER = "___"  # AgentCore names a target's tool `{target}___{tool}`


class MissingIdentity(Exception):
    """The call carries no verified caller: refuse before touching the booking service."""


NO_TURN = {
    "error": {
        "code": "missing_turn",
        "message": "No turn id on this call, so no write budget; nothing was done.",
    }
}


def turn_counter(turn_id: str) -> TurnCounter:
    """Where a turn's writes are counted: its item in the bookings table."""
    return DynamoTurnCounter(
        dynamodb_client(),
        os.environ["BOOKINGS_TABLE_NAME"],
        turn_id,
        keys=(PARTITION_KEY, SORT_KEY),
        ttl_attribute=TTL_ATTRIBUTE,
    )


def run_tool(tool: BookingTool, user_id: str, turn_id: str | None, arguments: Any) -> dict:
    """One tool call of a turn: writes spend the turn's shared budget; reads need none."""
    if tool.is_read:
        # A read changes nothing, so its record is not needed beyond this call.
        return tool.invoke(booking_service(), user_id, arguments, effects=TurnEffects())
    if not turn_id:
        logger.warning("write without a turn id", extra={"tool": tool.name})
        return NO_TURN
    effects = TurnEffects(WriteBudget.from_env(), counter=turn_counter(turn_id))
    return tool.invoke(booking_service(), user_id, arguments, effects=effects)


def bedrock_arguments(tool: BookingTool) -> type[BaseModel]:
    """The tool's argument model as Bedrock can fill it: nullable fields may be left out
    (Bedrock sends only the values the model chose) and unknown keys are ignored, as the tool
    contract drops them. Derived from the contract's model, so names, types and descriptions
    cannot drift; `tool.invoke` validates again against the contract itself."""
    fields: dict[str, Any] = {
        name: (
            field.annotation,
            Field(None if _nullable(field) else ..., description=field.description),
        )
        for name, field in tool.args_model.model_fields.items()
    }
    return create_model(  # type: ignore[call-overload]
        tool.args_model.__name__, __config__=ConfigDict(extra="ignore"), **fields
    )


def _nullable(field: FieldInfo) -> bool:
    return type(None) in get_args(field.annotation)


def current_user(event) -> str:
    user_id = (event.session_attributes or {}).get(USER_ATTRIBUTE)
    if not user_id:
        raise MissingIdentity
    return user_id


def current_turn(event) -> str | None:
    return (event.session_attributes or {}).get(TURN_ATTRIBUTE) or None


def _respond(result: dict) -> BedrockResponse:
    """The tool's result for the agent: 200, or the domain error's own status with its
    actionable message (e.g. 409 slot_taken listing free alternatives)."""
    error = result.get("error")
    status = 200 if error is None else _status_of(error.get("code", ""))
    return BedrockResponse(body=result, status_code=status)


def _status_of(code: str) -> int:
    return _ERROR_STATUS.get(code, 400)


def _subclasses(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_subclasses(direct))]


_ERROR_STATUS = {cls.code: cls.http_status for cls in _subclasses(BookingError)} | {
    "turn_write_limit": 429,  # the turn's write budget is spent
    "missing_turn": 400,
}


def _where(error: dict) -> str:
    """The argument a validation error is about ('slot_id'), without Powertools' 'body.'."""
    parts = [str(p) for p in error.get("loc", ()) if p not in ("body", "query")]
    return ".".join(parts) or "arguments"


def build_action_app() -> BedrockAgentResolver:
    """The action group: one route per tool of the shared contract."""
    app = BedrockAgentResolver()
    for tool in TOOLS:
        _add_route(app, tool)

    @app.exception_handler(RequestValidationError)
    def invalid_arguments(exc: RequestValidationError) -> BedrockResponse:
        problems = "; ".join(f"{_where(err)}: {err.get('msg', 'invalid')}" for err in exc.errors())
        message = f"Invalid arguments: {problems}. Fix them and call again."
        return BedrockResponse(
            body={"error": {"code": "invalid_arguments", "message": message}}, status_code=400
        )

    @app.exception_handler(MissingIdentity)
    def no_identity(exc: MissingIdentity) -> BedrockResponse:
        logger.warning("action call without a user_id session attribute")
        message = "No verified caller on this session; nothing was done."
        return BedrockResponse(
            body={"error": {"code": "unauthenticated", "message": message}}, status_code=401
        )

    return app


def _add_route(app: BedrockAgentResolver, tool: BookingTool) -> None:
    arguments_model = bedrock_arguments(tool)

    # Reads are GETs whose arguments travel as query parameters; writes are POSTs with a body.
    if is_read(tool):

        def read(**arguments: Any) -> BedrockResponse:
            user_id = current_user(app.current_event)
            return _respond(run_tool(tool, user_id, None, arguments))

        # The query parameters are the argument model's fields: build the signature Powertools
        # reads (for validation and for the OpenAPI schema) from the model, not by hand.
        read.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                inspect.Parameter(
                    name,
                    inspect.Parameter.KEYWORD_ONLY,
                    default=None if not field.is_required() else inspect.Parameter.empty,
                    annotation=Annotated[field.annotation, Query(description=field.description)],
                )
                for name, field in arguments_model.model_fields.items()
            ]
        )
        read.__name__ = tool.name
        app.get(api_path(tool), description=tool.description, operation_id=tool.name)(read)
        return

    def write(arguments) -> BedrockResponse:
        event = app.current_event
        user_id = current_user(event)
        return _respond(run_tool(tool, user_id, current_turn(event), arguments.model_dump()))

    write.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                "arguments",
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=Annotated[arguments_model, Body(embed=False)],
            )
        ]
    )
    write.__name__ = tool.name
    app.post(api_path(tool), description=tool.description, operation_id=tool.name)(write)


app = build_action_app()


# -- AgentCore Gateway Lambda target -----------------------------------------------------------
def gateway_tool_name(context: LambdaContext) -> str | None:
    custom = _client_custom(context)
    name = custom.get("bedrockAgentCoreToolName")
    if not name:
        return None
    return name.split(GATEWAY_TOOL_DELIMITER, 1)[-1]


def gateway_user(context: LambdaContext) -> str | None:
    return _propagated_header(context, USER_HEADER)


def gateway_turn(context: LambdaContext) -> str | None:
    return _propagated_header(context, TURN_HEADER)


def _propagated_header(context: LambdaContext, name: str) -> str | None:
    headers = _client_custom(context).get("bedrockAgentCorePropagatedHeaders") or {}
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted and v), None)


def _client_custom(context: LambdaContext) -> dict:
    client_context = getattr(context, "client_context", None)
    return dict(getattr(client_context, "custom", None) or {})


def handle_gateway_call(event: dict, context: LambdaContext) -> dict:
    """A tool call from the AgentCore Gateway: arguments are the event, the result is returned
    as is (the gateway wraps it for MCP). Errors are results too, never raised."""
    name = gateway_tool_name(context) or ""
    user_id = gateway_user(context)
    if not user_id:
        logger.warning("gateway call without the identity header", extra={"tool": name})
        message = "No verified caller; nothing was done."
        return {"error": {"code": "unauthenticated", "message": message}}
    tool = TOOLS_BY_NAME.get(name)
    if tool is None:
        return invoke_tool(name, booking_service(), user_id, event, effects=TurnEffects())
    if isinstance(event, dict):
        # As for Bedrock, a nullable argument the model left out means null.
        omitted = {n: None for n, f in tool.args_model.model_fields.items() if _nullable(f)}
        event = omitted | event
    return run_tool(tool, user_id, gateway_turn(context), event)


def is_action_group_event(event: dict) -> bool:
    return isinstance(event, dict) and "apiPath" in event and "messageVersion" in event


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    if is_action_group_event(event):
        return app.resolve(event, context)
    if gateway_tool_name(context):
        return handle_gateway_call(event, context)
    logger.error("unrecognised invocation: neither an action-group event nor a gateway call")
    return {"error": {"code": "bad_request", "message": "Unrecognised invocation."}}
