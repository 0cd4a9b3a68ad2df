"""How the offline stand-in model reads the tools it is offered.

A tool is one of three things: a booking-domain operation (check availability, book, move,
list, cancel - matched by exact name, then by keywords, so Bedrock-style operation names work
too), a handoff to another agent (`transfer_to_<agent>`, the Agents SDK's naming), or an agent
used as a tool (a function whose only parameter is a free-text string). Arguments are filled by
parameter name; a caller-identity parameter (`user_id` and the like) is always left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .language import Intent, classify_intent_label
from .schema_fill import coerce, is_user_like, known_value, normalise, nullable, resolve

EXACT_NAMES: dict[str, Intent] = {
    "check_availability": "check_availability",
    "book_slot": "book",
    "move_booking": "move",
    "list_bookings": "list_bookings",
    "cancel_booking": "cancel",
}
HANDOFF_PREFIX = "transfer_to_"
_DOMAIN_PARAMS = ("date", "day", "time", "slot", "booking", "court", "hour", "start", "id")


@dataclass(frozen=True)
class ToolSpec:
    """A function tool as offered in a request: name, description, JSON-schema parameters."""

    name: str
    description: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToolRole:
    """What a tool does: a domain `operation`, or a `handoff`/`agent` serving an `area`."""

    kind: Literal["domain", "handoff", "agent", "unknown"]
    operation: Intent | None = None
    area: Literal["check_availability", "book"] | None = None


def role_of(tool: ToolSpec) -> ToolRole:
    if tool.name in EXACT_NAMES:
        return ToolRole("domain", operation=EXACT_NAMES[tool.name])
    if tool.name.startswith(HANDOFF_PREFIX):
        return ToolRole("handoff", area=_area(tool.name) or _area(tool.description))
    if free_text_parameter(tool):
        return ToolRole("agent", area=_area(tool.name) or _area(tool.description))
    operation = classify_intent_label(tool.name) or classify_intent_label(tool.description)
    return ToolRole("domain", operation=operation) if operation else ToolRole("unknown")


def free_text_parameter(tool: ToolSpec) -> str | None:
    """The parameter of an agent-as-tool: the one string parameter, not a domain field."""
    properties = (tool.parameters or {}).get("properties") or {}
    if len(properties) != 1:
        return None
    ((name, schema),) = properties.items()
    schema = resolve(schema, tool.parameters)
    types = schema.get("type")
    is_string = types == "string" or (isinstance(types, list) and "string" in types)
    if not is_string or any(part in normalise(name) for part in _DOMAIN_PARAMS):
        return None
    return name


def domain_tool(tools: Sequence[ToolSpec], operation: Intent) -> ToolSpec | None:
    """The tool performing `operation`; an exact name beats a keyword match."""
    matches = [t for t in tools if role_of(t) == ToolRole("domain", operation=operation)]
    matches.sort(key=lambda t: t.name not in EXACT_NAMES)
    return matches[0] if matches else None


def route_for(tools: Sequence[ToolSpec], intent: Intent) -> ToolSpec | None:
    """The handoff or agent tool to pass `intent` on to, if any fits."""
    routes = [t for t in tools if role_of(t).kind in ("handoff", "agent")]
    wanted = "check_availability" if intent == "check_availability" else "book"
    for area in (wanted, "book", "check_availability"):
        for tool in routes:
            if role_of(tool).area == area:
                return tool
    return routes[0] if len(routes) == 1 else None


def arguments_for(tool: ToolSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """Arguments for a domain tool from known values, matched by parameter name."""
    schema = tool.parameters or {}
    required = set(schema.get("required") or ())
    arguments: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if is_user_like(name):
            continue
        value = known_value(name, values)
        if value is None and name not in required and not nullable(prop, schema):
            continue
        arguments[name] = coerce(value, prop, values, schema)
    return arguments


def _area(text: str) -> Literal["check_availability", "book"] | None:
    lowered = text.lower()
    if "book" in lowered or "reserv" in lowered:
        return "book"
    if any(key in lowered for key in ("avail", "free", "check", "schedule")):
        return "check_availability"
    return None
