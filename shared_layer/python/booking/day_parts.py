"""Parts of the day as the club means them: morning < 12:00, afternoon 12-17:00, evening."""

from __future__ import annotations

import datetime as dt
from typing import Literal

PartOfDay = Literal["morning", "afternoon", "evening"]


def in_part_of_day(start: dt.time, part: PartOfDay | None) -> bool:
    if part is None:
        return True
    if part == "morning":
        return start.hour < 12
    if part == "afternoon":
        return 12 <= start.hour < 17
    return start.hour >= 17
