"""The managed agent's tool schemas, generated from the action handler's code.

`bedrock_openapi_schema()` is Powertools' own OpenAPI output for the action group resolver
(`BedrockAgentResolver.get_openapi_json_schema`, already OpenAPI 3.0 with `nullable` for
optional values), tidied into the form the Bedrock action-group API accepts: references inlined,
no `components`, no Powertools validation-error responses, no titles, single-member `anyOf`s
folded away. `gateway_tool_schemas()` turns the same operations into AgentCore Gateway tool
definitions. The CDK stack embeds both at synth time and the local simulation reads them, and an
infrastructure test fails if the template and this code drift apart.
"""

from __future__ import annotations

import functools
import json
from typing import Any

SCHEMA_TITLE = "Tennis court booking"
SCHEMA_VERSION = "1.0.0"
SCHEMA_DESCRIPTION = (
    "Check free tennis court slots, book one, list and cancel the current user's bookings."
)
RESULT_DESCRIPTION = (
    "The operation's result as JSON. A refused call returns an `error` object with a `code` "
    "and a `message` saying what to do instead (a taken slot lists free `alternatives`)."
)
_GATEWAY_KEYS = ("type", "description", "properties", "required", "items")


@functools.cache
def _raw_schema() -> str:
    from pattern_h.actions import app

    return app.get_openapi_json_schema(
        title=SCHEMA_TITLE, version=SCHEMA_VERSION, description=SCHEMA_DESCRIPTION
    )


def bedrock_openapi_schema() -> dict:
    """The action group's OpenAPI 3.0 schema, as embedded in the Bedrock Agent."""
    raw = json.loads(_raw_schema())
    components = raw.get("components", {}).get("schemas", {})
    paths: dict[str, dict] = {}
    for path, methods in raw["paths"].items():
        for method, operation in methods.items():
            operation.pop("summary", None)  # "POST /book_slot": the description says more
            operation["responses"] = {
                "200": {
                    "description": RESULT_DESCRIPTION,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            }
            paths.setdefault(path, {})[method] = _tidy(operation, components)
    return {
        "openapi": raw["openapi"],
        "info": raw["info"],
        "paths": paths,
    }


def bedrock_openapi_payload() -> str:
    """The schema as the text embedded in the template (stable key order)."""
    return json.dumps(bedrock_openapi_schema(), sort_keys=True, separators=(",", ":"))


def operations() -> list[dict]:
    """(name, description, JSON schema of the arguments) of every operation, in schema order."""
    found = []
    for methods in bedrock_openapi_schema()["paths"].values():
        for operation in methods.values():
            found.append(
                {
                    "name": operation["operationId"],
                    "description": operation["description"],
                    "parameters": _arguments_schema(operation),
                }
            )
    return found


def gateway_tool_schemas() -> list[dict]:
    """AgentCore Gateway tool definitions (`name`, `description`, `inputSchema`) for the same
    operations. Gateway schemas take only type/description/properties/required/items."""
    return [
        {
            "name": op["name"],
            "description": op["description"],
            "inputSchema": _gateway_schema(op["parameters"]),
        }
        for op in operations()
    ]


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


def _tidy(node: Any, components: dict) -> Any:
    if isinstance(node, list):
        return [_tidy(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _tidy(components[node["$ref"].rsplit("/", 1)[-1]], components)
    node = {key: value for key, value in node.items() if key != "title"}
    any_of = node.get("anyOf")
    if isinstance(any_of, list) and len(any_of) == 1:  # left over from a removed `null`
        node = {**{k: v for k, v in node.items() if k != "anyOf"}, **any_of[0]}
    return {key: _tidy(value, components) for key, value in node.items()}
