"""Structured outputs: whatever the schema, the stand-in's answer validates against it."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

import jsonschema
import pytest
from openai import pydantic_function_tool
from pydantic import BaseModel

from local.offline_model.schema_fill import fill_schema
from pattern_core.model.understanding import BookingRequest

VALUES = {
    "intent": "list_bookings",
    "date": "2026-11-25",
    "time": "15:00",
    "part_of_day": None,
    "court": "Court B",
    "booking_id": None,
    "reply": "You have no bookings.",
}


def strict_schema(model: type[BaseModel]) -> dict:
    """The schema exactly as the openai client sends it for `response_format=model`."""
    return pydantic_function_tool(model)["function"]["parameters"]


class Action(StrEnum):
    CHECK = "check_availability"
    BOOK = "book"
    LIST = "list_my_bookings"
    OTHER = "unsupported"


class Nested(BaseModel):
    action: Action
    start_time: str | None
    when: Literal["morning", "afternoon", "evening"] | None


class Envelope(BaseModel):
    request: Nested
    message: str
    confidence: float
    tags: list[str]
    urgent: bool


def test_the_projects_booking_request_schema_is_filled_by_field_name():
    schema = strict_schema(BookingRequest)

    filled = fill_schema(schema, VALUES)
    second = fill_schema(schema, {**VALUES, "intent": "book", "position": 2})

    jsonschema.validate(filled, schema)
    assert filled == {
        "intent": "list_bookings",
        "date": "2026-11-25",
        "time": "15:00",
        "part_of_day": None,
        "court": "Court B",
        "booking_id": None,
        "slot_preference": None,
    }
    assert (second["intent"], second["slot_preference"]) == ("book", 2)


def test_nested_refs_enums_and_unknown_fields_still_validate():
    schema = strict_schema(Envelope)

    filled = fill_schema(schema, VALUES)

    jsonschema.validate(filled, schema)
    assert filled["request"] == {"action": "list_my_bookings", "start_time": "15:00", "when": None}
    assert filled["message"] == "You have no bookings."
    assert (filled["confidence"], filled["tags"], filled["urgent"]) == (0, [], False)


@pytest.mark.parametrize(
    ("intent", "enum", "expected"),
    [
        ("check_availability", ["availability", "booking", "listing", "cancel"], "availability"),
        ("book", ["cancel_booking", "list_bookings", "book_court"], "book_court"),
        ("list_bookings", ["book", "list", "cancel"], "list"),
        ("cancel", ["book", "cancel_booking"], "cancel_booking"),
        ("other", ["book", "cancel", "unknown"], "unknown"),
    ],
)
def test_our_intent_maps_to_the_closest_enum_value(intent, enum, expected):
    schema = {
        "type": "object",
        "properties": {"intent": {"type": "string", "enum": enum}},
        "required": ["intent"],
    }

    assert fill_schema(schema, {"intent": intent}) == {"intent": expected}


def test_a_value_the_schema_cannot_hold_becomes_null_when_allowed_else_empty():
    schema = {
        "type": "object",
        "properties": {
            "court": {"type": ["string", "null"], "enum": ["A", "B", None]},
            "date": {"type": "integer"},
        },
        "required": ["court", "date"],
    }

    filled = fill_schema(schema, {"court": "Court Z", "date": "2026-11-25"})

    jsonschema.validate(filled, schema)
    assert filled == {"court": None, "date": 0}
