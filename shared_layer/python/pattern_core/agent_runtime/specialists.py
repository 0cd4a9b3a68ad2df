"""The roles of the multi-agent patterns (F in one process, G across Lambdas).

A manager talks to the person and routes; two specialists do the work, each with only the
tools its job needs:

- **availability specialist** — `check_availability` only: it can look, never book;
- **booking specialist** — `check_availability`, `book_slot`, `move_booking`,
  `list_bookings`, `cancel_booking`.

Specialists get a self-contained request from the manager ("Book a court on 2026-11-25 at
15:00"), not the conversation, so they are stateless — which is what lets pattern G run each in
its own Lambda. The manager's tools are named after the specialists in both patterns.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents import Agent

from booking.schedule import Schedule
from pattern_core.agent_runtime.instructions import BOOKER_RULES, schedule_facts
from pattern_core.agent_runtime.tools import TurnContext, booking_tools, stop_when_budget_spent


@dataclass(frozen=True)
class Specialist:
    key: str  # "availability" | "booking"
    tool_name: str  # how the manager's model sees it
    tool_description: str
    tools: tuple[str, ...]
    job: str

    def agent(self, schedule: Schedule) -> Agent[TurnContext]:
        return Agent[TurnContext](
            name=f"{self.key.title()} specialist",
            instructions=(
                f"{self.job} {schedule_facts(schedule)} {BOOKER_RULES} "
                "Answer in one or two sentences with the facts the tools returned."
            ),
            tools=booking_tools(*self.tools),
            # A write refused by the turn's budget ends the specialist's run.
            tool_use_behavior=stop_when_budget_spent,
        )


AVAILABILITY = Specialist(
    key="availability",
    tool_name="availability_specialist",
    tool_description=(
        "Finds free tennis court slots. Input: one self-contained question with an absolute "
        "date (YYYY-MM-DD) and, if known, a time (HH:MM) or part of day."
    ),
    tools=("check_availability",),
    job="You find free tennis court slots. You cannot book; say what is free.",
)
BOOKING = Specialist(
    key="booking",
    tool_name="booking_specialist",
    tool_description=(
        "Books, moves, lists and cancels the current user's tennis court bookings. Input: one "
        "self-contained instruction with an absolute date (YYYY-MM-DD) and the time (HH:MM), "
        "part of day, position ('the first available', 'the second one') and court if known; "
        "the booking id to move or cancel if known."
    ),
    tools=("check_availability", "book_slot", "move_booking", "list_bookings", "cancel_booking"),
    job=(
        "You book, move, list and cancel tennis court bookings for the current user. To move "
        "or cancel a booking whose id you were not given, find it with list_bookings."
    ),
)
SPECIALISTS: dict[str, Specialist] = {s.key: s for s in (AVAILABILITY, BOOKING)}


def manager_instructions(schedule: Schedule) -> str:
    return (
        "You are the front desk of a tennis club. You do not check or book courts yourself: "
        f"ask {AVAILABILITY.tool_name} about free slots and {BOOKING.tool_name} to book, list "
        "or cancel. To book, go straight to the booking specialist. Give them one complete, "
        "self-contained request: resolve follow-ups from the conversation (the day said "
        "earlier carries over to '4pm then'; 'yes please' after an offer means that slot, and "
        "'the second one' the second slot as last listed (give its slot id); after a failed "
        "move, that slot is where to move the booking (a move, with its booking id); "
        "'actually make it Court B' moves the booking just made, with its booking id), and use "
        "absolute dates (YYYY-MM-DD) and times (HH:MM). "
        f"{schedule_facts(schedule)} Relay what the specialist reports; never say a court is "
        "booked unless the booking specialist reported the booking."
    )
