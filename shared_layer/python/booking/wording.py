"""How the booking rules write a day in their messages: 'Thu 3 Dec', as every pattern's replies
do (pattern_core.workflow.fulfilment.format_day writes it the same way)."""

from __future__ import annotations

import datetime as dt


def format_day(day: dt.date | str) -> str:
    """`2026-12-03` (or that date) -> 'Thu 3 Dec'."""
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return f"{day:%a} {day.day} {day:%b}"
