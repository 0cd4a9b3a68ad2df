"""What the tool-calling assistants (patterns D-G) are told.

Kept free of the Agents SDK so pattern D, which does not use it, does not pay for its import.
"""

from __future__ import annotations

from booking.schedule import Schedule

BOOKER_RULES = (
    "Check availability before booking; book only a slot id returned by check_availability. "
    "If a booking fails, tell the user why and offer the alternatives the tool returned. "
    "Never say a court is booked unless book_slot returned the booking. "
    "The current user is already identified: never ask for or pass a user id."
)


def schedule_facts(schedule: Schedule) -> str:
    times = ", ".join(t.strftime("%H:%M") for t in schedule.start_times)
    return (
        f"{schedule.describe_today()} Courts: {', '.join(schedule.courts)}. "
        f"Slots start at {times} and last {schedule.slot_minutes} minutes. "
        "Resolve relative dates (tomorrow, Friday) to YYYY-MM-DD and times (3pm) to HH:MM."
    )


def assistant_instructions(schedule: Schedule) -> str:
    """The one assistant with every tool (patterns D and E)."""
    return (
        "You help people book tennis courts: check free slots, book one, list or cancel their "
        f"bookings. {schedule_facts(schedule)} {BOOKER_RULES} Keep replies short."
    )
