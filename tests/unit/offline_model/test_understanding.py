"""The structured-understanding call of patterns A-C, as the stand-in answers it: the message
as a `BookingRequest` through the same schema and system prompt the openai client sends."""

from __future__ import annotations

import pytest
from openai import pydantic_function_tool

from local.offline_model.policy import Conversation, Message, Reply, decide
from pattern_core.model.understanding import BookingRequest, system_prompt


def understood(schedule, message: str) -> BookingRequest:
    schema = pydantic_function_tool(BookingRequest)["function"]["parameters"]
    items = [Message("system", system_prompt(schedule)), Message("user", message)]
    answer = decide(Conversation(items, output_schema=schema))
    assert isinstance(answer, Reply)
    return BookingRequest.model_validate_json(answer.text)


@pytest.mark.parametrize(
    ("message", "new_slot"),
    [
        # The words after "to" are the new slot; the day said before them carries over.
        ("Move my booking tomorrow at 3pm to 4pm", ("2026-11-25", "16:00", None, None)),
        ("move my booking to 4pm tomorrow", ("2026-11-25", "16:00", None, None)),
        ("Actually make it Court B at 2pm", (None, "14:00", None, "Court B")),
        ("change it to Friday", ("2026-11-27", None, None, None)),
        ("Move my 3pm booking to Friday afternoon", ("2026-11-27", None, "afternoon", None)),
    ],
)
def test_a_change_to_a_booking_is_a_move_whose_fields_describe_the_new_slot(
    schedule, message, new_slot
):
    request = understood(schedule, message)

    assert request.intent == "move"
    assert (request.date, request.time, request.part_of_day, request.court) == new_slot
    assert request.booking_id is None


def test_a_move_of_a_named_booking_carries_its_id(schedule):
    request = understood(schedule, "Move 2026-11-25_CourtA_1500.a1b2c3d4 to Court B")

    assert (request.intent, request.booking_id, request.court, request.time) == (
        "move",
        "2026-11-25_CourtA_1500.a1b2c3d4",
        "Court B",
        None,
    )


def test_a_booking_is_still_a_booking(schedule):
    request = understood(schedule, "Book court b tomorrow at 3pm")

    assert (request.intent, request.date, request.time, request.court) == (
        "book",
        "2026-11-25",
        "15:00",
        "Court B",
    )
