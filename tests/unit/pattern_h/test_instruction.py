"""The managed agent's instruction names the booking configuration's courts, start times and
window, as D-G's instructions do, instead of a copy of the defaults."""

from __future__ import annotations

import datetime as dt

from booking.schedule import Schedule
from pattern_h.instruction import INSTRUCTION, instruction


def test_the_instruction_is_written_from_the_schedule():
    schedule = Schedule(
        courts=("North", "Centre", "South"),
        start_times=(dt.time(8), dt.time(18, 30)),
        slot_minutes=90,
        window_days=13,
    )

    text = instruction(schedule)

    assert "Courts are North, Centre and South;" in text
    assert "90-minute slots start at 08:00 and 18:30" in text
    assert "through 13 days ahead" in text
    assert "Court A" not in text and "09:00" not in text


def test_what_is_deployed_is_the_default_schedule_in_words():
    assert instruction(Schedule()) == INSTRUCTION
    assert "Courts are Court A, Court B and Court C;" in INSTRUCTION
    assert (
        "one-hour slots start at 09:00, 10:00, 11:00, 14:00, 15:00, 16:00 and 17:00" in INSTRUCTION
    )
    assert "through six days ahead" in INSTRUCTION
