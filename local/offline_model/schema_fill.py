"""Fill any JSON schema from what the offline stand-in model knows, by property name.

Used for structured outputs (`response_format` / `text.format`) and for tool arguments. Known
names (`intent`, `date`, `time`, `part_of_day`, `court`, `booking_id`, `slot_id`, `reply`, ...)
take their value; every other property becomes null when the schema allows it, else an empty
value of its type, so the result validates against the schema (required, enum, anyOf, $ref).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .language import INTENTS, classify_intent_label

Schema = Mapping[str, Any]

# Property names, normalised (lower case, no separators), that mean the same thing.
_ALIASES = {
    "intent": ("intent", "action", "operation", "requesttype", "kind"),
    "date": ("date", "day", "bookingdate", "playdate"),
    "time": ("time", "starttime", "start", "hour", "slottime"),
    "part_of_day": ("partofday", "timeofday", "period", "daypart"),
    "court": ("court", "courtname", "courtid"),
    "position": ("position", "slotpreference", "slotposition", "slotnumber", "preference"),
    "booking_id": ("bookingid", "reservationid"),
    "slot_id": ("slotid", "slot"),
    "reply": ("reply", "message", "text", "answer", "response", "summary", "output"),
}
_USER_LIKE = re.compile(r"user|customer|owner|member|caller|principal", re.IGNORECASE)


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def is_user_like(name: str) -> bool:
    """A parameter naming the caller: its value comes from identity, never from the model."""
    return bool(_USER_LIKE.search(name))


def known_value(name: str, values: Mapping[str, Any]) -> Any:
    """The value for a property called `name`: exact key first, then by alias."""
    if name in values:
        return values[name]
    key = normalise(name)
    for canonical, aliases in _ALIASES.items():
        if key in aliases and canonical in values:
            return values[canonical]
    return None


def fill_schema(schema: Schema, values: Mapping[str, Any], root: Schema | None = None) -> Any:
    """A value for `schema` built from `values` (a name -> value mapping)."""
    root = root if root is not None else schema
    schema = resolve(schema, root)
    if _type_of(schema) == "object" or "properties" in schema:
        return fill_object(schema, values, root)
    return empty_value(schema, root)


def fill_object(schema: Schema, values: Mapping[str, Any], root: Schema) -> dict[str, Any]:
    filled: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        filled[name] = coerce(known_value(name, values), prop, values, root)
    return filled


def coerce(value: Any, schema: Schema, values: Mapping[str, Any], root: Schema) -> Any:
    """Fit `value` to `schema`; falls back to null or an empty value of the schema's type."""
    schema = resolve(schema, root)
    branches = [resolve(b, root) for b in schema.get("anyOf") or schema.get("oneOf") or ()]
    if branches:
        concrete = [b for b in branches if _type_of(b) != "null"]
        if value is None and len(concrete) < len(branches):
            return None
        for branch in concrete:
            fitted = coerce(value, branch, values, root)
            if fitted is not None or value is None:
                return fitted
        return None if len(concrete) < len(branches) else empty_value(concrete[0], root)
    if value is None:
        if nullable(schema, root):
            return None
        if _type_of(schema) == "object":
            return fill_object(schema, values, root)
        return empty_value(schema, root)
    if "enum" in schema:
        return _closest_enum(value, schema["enum"], nullable(schema, root))
    kind = _type_of(schema)
    if kind == "object" and isinstance(value, Mapping):
        return fill_object(schema, value, root)
    if kind == "array" and isinstance(value, list | tuple):
        return [coerce(item, schema.get("items") or {}, values, root) for item in value]
    if kind == "string":
        return value if isinstance(value, str) else str(value)
    if (
        kind in ("integer", "number")
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return int(value) if kind == "integer" else value
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind is None:
        return value
    return None if nullable(schema, root) else empty_value(schema, root)


def empty_value(schema: Schema, root: Schema) -> Any:
    schema = resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = _type_of(schema)
    if kind == "object" or "properties" in schema:
        return fill_object(schema, {}, root)
    if kind == "array":
        return []
    return {"string": "", "integer": 0, "number": 0, "boolean": False}.get(kind or "null")


def nullable(schema: Schema, root: Schema) -> bool:
    schema = resolve(schema, root)
    types = schema.get("type")
    if schema.get("nullable") is True or types == "null":
        return True
    if isinstance(types, list) and "null" in types:
        return True
    if isinstance(schema.get("enum"), list) and None in schema["enum"]:
        return True
    branches = schema.get("anyOf") or schema.get("oneOf") or ()
    return any(_type_of(resolve(b, root)) == "null" for b in branches)


def resolve(schema: Schema, root: Schema) -> Schema:
    """Follow local `$ref`s (`#/$defs/Name`, `#/definitions/Name`)."""
    seen = 0
    while isinstance(schema, Mapping) and "$ref" in schema and seen < 20:
        target: Any = root
        for part in str(schema["$ref"]).lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **extra}
        seen += 1
    return schema if isinstance(schema, Mapping) else {}


def _type_of(schema: Schema) -> str | None:
    types = schema.get("type")
    if isinstance(types, list):
        concrete = [t for t in types if t != "null"]
        return concrete[0] if concrete else "null"
    if types is None and "enum" in schema:
        return None
    return types


def _closest_enum(value: Any, options: list[Any], allow_null: bool) -> Any:
    """The enum option equal to `value`, else the one meaning the same intent, else a default."""
    if value in options:
        return value
    text = str(value).lower()
    labels = [o for o in options if isinstance(o, str)]
    for option in labels:
        if option.lower() == text:
            return option
    if text in INTENTS:
        wanted = classify_intent_label(text) if text != "other" else None
        for option in labels:
            if classify_intent_label(option) == wanted:
                return option
        if text == "move":  # a schema without moves: booking the new slot is the nearest
            return _closest_enum("book", options, allow_null)
    for option in sorted(labels, key=len, reverse=True):
        if len(option) >= 3 and (text in option.lower() or option.lower() in text):
            return option
    if allow_null:
        return None
    if text == "other" and labels:
        # Intents the policy calls "other" land on the enum's catch-all value when it has one.
        catch_all = [o for o in labels if classify_intent_label(o) is None]
        return catch_all[-1] if catch_all else labels[-1]
    return options[0]
