"""How the stand-in reads the tools it is offered: domain operations, handoffs, agent tools."""

from __future__ import annotations

import pytest

from local.offline_model.toolbox import ToolRole, ToolSpec, arguments_for, role_of, route_for
from tests.unit.offline_model.builders import domain_tools


def one_string(name: str) -> dict:
    return {"type": "object", "properties": {name: {"type": "string"}}, "required": [name]}


@pytest.mark.parametrize(
    ("tool", "role"),
    [
        (ToolSpec("book_slot", "", one_string("slot_id")), ToolRole("domain", operation="book")),
        (ToolSpec("cancel_booking", "", one_string("booking_id")), ToolRole("domain", "cancel")),
        (ToolSpec("/check_availability"), ToolRole("domain", operation="check_availability")),
        (ToolSpec("/list_bookings"), ToolRole("domain", operation="list_bookings")),
        (ToolSpec("reserveCourt", "", one_string("slotId")), ToolRole("domain", "book")),
        (
            ToolSpec("lookup", "Shows which courts are free"),
            ToolRole("domain", "check_availability"),
        ),
        (ToolSpec("transfer_to_booking_agent"), ToolRole("handoff", area="book")),
        (ToolSpec("transfer_to_triage"), ToolRole("handoff")),
        (
            ToolSpec("ask_scheduler", "Checks availability", one_string("input")),
            ToolRole("agent", area="check_availability"),
        ),
        (ToolSpec("weather"), ToolRole("unknown")),
    ],
)
def test_recognises_what_a_tool_does(tool, role):
    assert role_of(tool) == role


def test_routes_a_booking_to_the_booking_specialist_and_a_check_to_the_availability_one():
    routes = [
        ToolSpec("transfer_to_availability_agent"),
        ToolSpec("transfer_to_booking_agent"),
    ]

    assert route_for(routes, "check_availability").name == "transfer_to_availability_agent"
    assert route_for(routes, "cancel").name == "transfer_to_booking_agent"


def test_arguments_are_filled_by_name_and_the_caller_is_never_invented():
    check = ToolSpec(
        "check",
        "",
        {
            "type": "object",
            "properties": {
                "day": {"type": "string"},
                "start_time": {"type": ["string", "null"]},
                "user_id": {"type": "string"},
            },
            "required": ["day", "start_time", "user_id"],
        },
    )

    assert arguments_for(check, {"date": "2026-11-25", "time": None}) == {
        "day": "2026-11-25",
        "start_time": None,
    }


def test_the_projects_strict_check_schema_gets_an_explicit_null_time():
    (check, *_) = domain_tools()

    assert arguments_for(check, {"date": "2026-11-25"}) == {
        "date": "2026-11-25",
        "time": None,
        "part_of_day": None,
    }
