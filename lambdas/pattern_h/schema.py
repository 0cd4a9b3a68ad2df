"""The managed agent's tool interface, built from the tool contract (`booking.tools`) alone.

The CDK stack embeds it at synth time and the local simulation reads it, so this module is
pure: it imports no handler, no Powertools resolver and creates no AWS client.

* `bedrock_openapi_schema()`: the action group's OpenAPI 3.0 document, in the form the Bedrock
  action-group API accepts (no `$ref`/`components`, no titles, `nullable` for optional values).
  Reads are GETs with query parameters, writes are POSTs with a JSON body; a nullable argument
  may be left out. It is exactly what the action handler's `BedrockAgentResolver` generates,
  tidied: an infrastructure test compares the template with the resolver's own output, so the
  two cannot drift apart.
* `gateway_tool_schemas()`: the same operations as AgentCore Gateway tool definitions.
* `USER_HEADER`, `TURN_HEADER`: the headers the invoker puts on the harness's gateway calls and
  the gateway passes to the action Lambda (the caller, and the turn whose write budget a write
  spends); the stack allows exactly these.
"""

from __future__ import annotations

import json
from typing import Any

from booking.tools import TOOLS, BookingTool

SCHEMA_TITLE = "Tennis court booking"
SCHEMA_VERSION = "1.0.0"
SCHEMA_DESCRIPTION = (
    "Check free tennis court slots, book or move one, list and cancel the current user's bookings."
)
RESULT_DESCRIPTION = (
    "The operation's result as JSON. A refused call returns an `error` object with a `code` "
    "and a `message` saying what to do instead (a taken slot lists free `alternatives`)."
)
# The version Powertools' BedrockAgentResolver documents its routes in (Bedrock takes 3.0.x).
OPENAPI_VERSION = "3.0.3"

USER_HEADER = "X-Patterns-User-Id"  # header the invoker sets on the harness's gateway calls
TURN_HEADER = "X-Patterns-Turn-Id"  # the /chat request a gateway call belongs to

_GATEWAY_KEYS = ("type", "description", "properties", "required", "items")


def is_read(tool: BookingTool) -> bool:
    """A tool that changes nothing is a GET (arguments as query parameters), a write a POST."""
    return tool.is_read


def api_path(tool: BookingTool) -> str:
    return f"/{tool.name}"


def bedrock_openapi_schema() -> dict:
    """The action group's OpenAPI 3.0 schema, as embedded in the Bedrock Agent."""
    paths: dict[str, dict] = {}
    for tool in TOOLS:
        method = "get" if is_read(tool) else "post"
        paths[api_path(tool)] = {method: _operation(tool)}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": SCHEMA_TITLE,
            "version": SCHEMA_VERSION,
            "description": SCHEMA_DESCRIPTION,
        },
        "paths": paths,
    }


def bedrock_openapi_payload() -> str:
    """The schema as the text embedded in the template (stable key order)."""
    return json.dumps(bedrock_openapi_schema(), sort_keys=True, separators=(",", ":"))


def operations(schema: dict | None = None) -> list[dict]:
    """(name, description, JSON schema of the arguments) of every operation of `schema` (by
    default `bedrock_openapi_schema()`), in schema order."""
    document = schema if schema is not None else bedrock_openapi_schema()
    return [
        {
            "name": operation["operationId"],
            "description": operation["description"],
            "parameters": _arguments_schema(operation),
        }
        for methods in document["paths"].values()
        for operation in methods.values()
    ]


def gateway_tool_schemas(schema: dict | None = None) -> list[dict]:
    """AgentCore Gateway tool definitions (`name`, `description`, `inputSchema`) for the
    operations of `schema` (by default `bedrock_openapi_schema()`). Gateway schemas take only
    type/description/properties/required/items."""
    return [
        {
            "name": op["name"],
            "description": op["description"],
            "inputSchema": _gateway_schema(op["parameters"]),
        }
        for op in operations(schema)
    ]


def _operation(tool: BookingTool) -> dict:
    arguments = _argument_schemas(tool)
    # Bedrock sends only the values the model chose, so a nullable argument is optional.
    required = [name for name, schema in arguments.items() if not schema.get("nullable")]
    operation: dict[str, Any] = {"description": tool.description, "operationId": tool.name}
    if is_read(tool):
        if arguments:
            operation["parameters"] = [
                {
                    **({"description": schema["description"]} if "description" in schema else {}),
                    "in": "query",
                    "name": name,
                    "required": name in required,
                    "schema": schema,
                }
                for name, schema in arguments.items()
            ]
    else:
        body: dict[str, Any] = {"properties": arguments, "type": "object"}
        if required:
            body["required"] = required
        operation["requestBody"] = {
            "content": {"application/json": {"schema": body}},
            "required": True,
        }
    operation["responses"] = {
        "200": {
            "description": RESULT_DESCRIPTION,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    }
    return operation


def _argument_schemas(tool: BookingTool) -> dict[str, dict]:
    """Each argument's JSON schema from the contract's model, in OpenAPI 3.0 form: no titles,
    and `X | None` as `nullable` instead of `anyOf` with `null` (3.0 has no `null` type)."""
    properties = tool.args_model.model_json_schema().get("properties", {})
    return {name: _openapi_30(schema) for name, schema in properties.items()}


def _openapi_30(schema: dict) -> dict:
    out = {key: value for key, value in schema.items() if key not in ("title", "anyOf")}
    variants = schema.get("anyOf")
    if variants:
        others = [v for v in variants if v != {"type": "null"}]
        if len(others) == 1:
            out.update(_openapi_30(others[0]))
        else:
            out["anyOf"] = [_openapi_30(v) for v in others]
        if len(others) < len(variants):
            out["nullable"] = True
    return out


def _arguments_schema(operation: dict) -> dict:
    """One JSON object schema for an operation's arguments, query parameters or JSON body."""
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        return body["schema"]
    properties, required = {}, []
    for parameter in operation.get("parameters", []):
        properties[parameter["name"]] = parameter["schema"]
        if parameter.get("required"):
            required.append(parameter["name"])
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _gateway_schema(schema: dict) -> dict:
    out = {key: schema[key] for key in _GATEWAY_KEYS if key in schema}
    if "properties" in out:
        out["properties"] = {name: _gateway_schema(p) for name, p in out["properties"].items()}
        if not out["properties"]:
            del out["properties"]
    if "items" in out:
        out["items"] = _gateway_schema(out["items"])
    return out
