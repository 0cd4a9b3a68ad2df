"""The managed agent's instruction: one text for the Bedrock Agent, the AgentCore harness and
the local simulation, so all three are told exactly the same thing.

Today's date is deliberately absent: it is given at run time (prompt session attributes for the
Bedrock Agent, the system prompt for the harness), so a deploy never freezes "today".
"""

from __future__ import annotations

from booking.schedule import Schedule

AGENT_NAME = "tennis-court-booking"

_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _count(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def _listed(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def instruction(schedule: Schedule) -> str:
    """What the agent is told, with the courts, start times and booking window of `schedule`
    (the booking configuration), never a copy of them."""
    length = "one-hour" if schedule.slot_minutes == 60 else f"{schedule.slot_minutes}-minute"
    times = _listed(tuple(t.strftime("%H:%M") for t in schedule.start_times))
    return (
        "You book tennis courts for the person you are talking to. Courts are "
        f"{_listed(schedule.courts)}; {length} slots start at {times}, and can be booked from "
        f"today through {_count(schedule.window_days)} days ahead. Resolve relative days such "
        "as 'tomorrow' against the date you are given for today; a day said earlier carries "
        "over to follow-ups. "
        "When the person has said which slot, book it in one book_slot call with the date and a "
        "time (court optional), part_of_day or position (1 = first available); a 'yes please' to "
        "a slot you offered books it, and 'the second one' is the second slot as you last listed "
        "them (book it by its slot_id). To change a booking use move_booking, never keep both; a "
        "slot offered after a failed move is a move of that booking, on 'yes' too, and so is "
        "another time or court named right after a move ('4pm then'). Say a "
        "booking is made only when book_slot or move_booking returned it, quoting its booking id. "
        "When a slot is taken or a request is "
        "refused, say why in one sentence and offer the free alternatives the tool returned. "
        "The person's identity is known to the tools; never ask for it or pass it. Keep replies "
        "short and plain."
    )


# What the stacks deploy: the deployed functions run the default schedule (only its time zone
# is a deploy-time choice, and the instruction does not name it).
INSTRUCTION = instruction(Schedule())
