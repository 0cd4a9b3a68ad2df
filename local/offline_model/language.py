"""Natural-language understanding for the offline stand-in model.

Turns one user message about tennis courts into a `UserRequest` (what the user wants, for which
day, time, part of day, court or booking), resolves follow-ups ("book the 3pm one") against
what was said earlier, and finds "today" in a prompt. Pure functions over text: no I/O except
the documented fallbacks for "today" (`PATTERNS_TODAY`, then the UTC clock).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Literal

Intent = Literal["check_availability", "book", "list_bookings", "cancel", "other"]
PartOfDay = Literal["morning", "afternoon", "evening"]
INTENTS: tuple[Intent, ...] = ("check_availability", "book", "list_bookings", "cancel", "other")

SLOT_ID = re.compile(
    r"(?<![\w-])(\d{4}-\d{2}-\d{2})_Court([ABC])_([0-2]\d)([0-5]\d)(?!\w|\.\w)", re.IGNORECASE
)
BOOKING_ID = re.compile(
    r"(?<![\w-])(\d{4}-\d{2}-\d{2})_Court([ABC])_([0-2]\d)([0-5]\d)\.([0-9a-z]+)\b", re.IGNORECASE
)
TODAY_LINE = re.compile(r"\btoday is (\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)

_WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_WEEKDAY = (
    r"\b(?:(next|this|on)\s+)?(" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\b"
)
_AMPM = r"(a\.?m\.?|p\.?m\.?)"

_INTENT_RULES: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    ("cancel", re.compile(r"\b(cancel\w*|call off|delete my|remove my)\b")),
    (
        "list_bookings",
        re.compile(
            r"\bmy (bookings?|reservations?|courts|slots)\b"
            r"|\bwhat (have|did) i (booked|book|reserved|reserve)\b"
            r"|\blist\b|\bshow (me )?my\b|\bdo i have (any )?(bookings|reservations)\b"
        ),
    ),
    ("book", re.compile(r"\b(book|booking|reserve|reservation|grab|i'?ll take)\b")),
    (
        "check_availability",
        re.compile(
            r"\b(free|available|availability|open|vacant|what'?s|what is|whats|anything"
            r"|any (slots?|courts?|times?)|when can)\b"
        ),
    ),
)
_SLOT_INTENTS = ("check_availability", "book")
_FOLLOW_UP = re.compile(
    r"\b(it|that|that one|this one|the [\w: ]{1,12} one|same|those|first one|either)\b"
    r"|^\s*(yes|yep|yeah|sure|ok|okay|please do|do it|go ahead)\b"
)


@dataclass(frozen=True)
class UserRequest:
    """What one user message asks for; unknown parts are None."""

    intent: Intent = "other"
    date: str | None = None
    time: str | None = None
    part_of_day: PartOfDay | None = None
    court: str | None = None
    booking_id: str | None = None
    is_follow_up: bool = False

    def has_details(self) -> bool:
        return any((self.date, self.time, self.part_of_day, self.court, self.booking_id))


def find_today(texts: Iterable[str]) -> date:
    """The most recent `Today is YYYY-MM-DD` in the texts, else `PATTERNS_TODAY`, else UTC now."""
    found: str | None = None
    for text in texts:
        for match in TODAY_LINE.finditer(text or ""):
            found = match.group(1)
    for candidate in (found, os.environ.get("PATTERNS_TODAY")):
        if candidate:
            try:
                return date.fromisoformat(candidate)
            except ValueError:
                continue
    return datetime.now(UTC).date()


def part_of_day_of(time: str) -> PartOfDay:
    """Morning before 12:00, afternoon 12:00-16:59, evening from 17:00."""
    hour = int(time[:2])
    if hour < 12:
        return "morning"
    return "afternoon" if hour < 17 else "evening"


def classify_intent_label(label: str) -> Intent | None:
    """The intent a tool name, enum value or description points at, by keyword; None if none."""
    words = re.sub(r"([a-z])([A-Z])", r"\1_\2", label).lower()
    if "cancel" in words:
        return "cancel"
    if "list" in words or "bookings" in words or "my_booking" in words:
        return "list_bookings"
    if "avail" in words or "free" in words:
        return "check_availability"
    if "book" in words or "reserv" in words:
        return "book"
    if any(key in words for key in ("check", "search", "find", "slots")):
        return "check_availability"
    return None


def parse_request(text: str, today: date) -> UserRequest:
    """Understand one user message; relative dates are resolved against `today`."""
    lowered = text.lower()
    booking_id = _booking_id(text)
    date_, time, court = _parts_of_id(text)
    # Ids carry digits that would otherwise read as dates and times.
    rest = SLOT_ID.sub(" ", BOOKING_ID.sub(" ", lowered))
    return UserRequest(
        intent=_intent(rest),
        date=date_ or _date(rest, today),
        time=time or _time(_ISO_DATE.sub(" ", rest)),
        part_of_day=_part_of_day(rest),
        court=court or _court(rest),
        booking_id=booking_id,
        is_follow_up=bool(_FOLLOW_UP.search(rest)),
    )


def merge_follow_up(current: UserRequest, earlier: UserRequest) -> UserRequest:
    """Fill what a follow-up leaves out ("book the 3pm one") from the earlier context.

    A message naming its own day starts afresh; otherwise the day, and the time or part of day
    when the message names neither, carry over, and so do the court and booking. A message
    with no intent of its own continues the earlier one ("and on Friday?"); one that only names
    a slot ("the 3pm one", "yes") after a check or booking means "book it"; one that names a
    day or time out of the blue ("can I play at 3?") is read as an availability question.
    """
    intent = current.intent
    if intent == "other" and current.is_follow_up and earlier.intent in _SLOT_INTENTS:
        intent = "book"
    elif intent == "other" and current.has_details():
        intent = earlier.intent if earlier.intent != "other" else "check_availability"
    if current.date is not None:
        return replace(current, intent=intent)
    time, part = current.time, current.part_of_day
    if time is None and part is None:
        time, part = earlier.time, earlier.part_of_day
    names_slot = current.time or current.part_of_day or current.court
    booking_id = current.booking_id or (None if names_slot else earlier.booking_id)
    return replace(
        current,
        intent=intent,
        date=earlier.date,
        time=time,
        part_of_day=part,
        court=current.court or earlier.court,
        booking_id=booking_id,
    )


def _intent(text: str) -> Intent:
    for intent, pattern in _INTENT_RULES:
        if pattern.search(text):
            return intent
    return "other"


def _booking_id(text: str) -> str | None:
    match = BOOKING_ID.search(text)
    return match.group(0) if match else None


def _parts_of_id(text: str) -> tuple[str | None, str | None, str | None]:
    match = BOOKING_ID.search(text) or SLOT_ID.search(text)
    if not match:
        return None, None, None
    day, court, hour, minute = match.group(1, 2, 3, 4)
    return day, f"{hour}:{minute}", f"Court {court.upper()}"


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_MONTH = re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?!\w)")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY}\b")
_BARE_HOUR = re.compile(r"(?:\bat|\baround|\babout|@)\s*(\d{1,2})\b(?![/-]|\s*(st|nd|rd|th)\b)")


def _date(text: str, today: date) -> str | None:
    if match := _ISO_DATE.search(text):
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            return None
    if re.search(r"\bday after tomorrow\b", text):
        return (today + timedelta(days=2)).isoformat()
    if re.search(r"\btomorrow\b|\btmrw\b", text):
        return (today + timedelta(days=1)).isoformat()
    if re.search(r"\btoday\b|\btonight\b|\bthis (morning|afternoon|evening)\b", text):
        return today.isoformat()
    if match := _DAY_MONTH.search(text):
        return _calendar_date(today, int(match.group(1)), match.group(2))
    if match := _MONTH_DAY.search(text):
        return _calendar_date(today, int(match.group(2)), match.group(1))
    if match := re.search(_WEEKDAY, text):
        wanted = _WEEKDAYS[match.group(2)]
        # "Friday" on a Friday means next week's: bookings are for days to come.
        ahead = (wanted - today.weekday()) % 7 or 7
        return (today + timedelta(days=ahead)).isoformat()
    return None


def _calendar_date(today: date, day: int, month_name: str) -> str | None:
    month = _MONTHS[month_name]
    try:
        candidate = date(today.year, month, day)
    except ValueError:
        return None
    # "3 Jan" said in late December means the coming January.
    if (today - candidate).days > 180:
        candidate = candidate.replace(year=today.year + 1)
    return candidate.isoformat()


def _time(text: str) -> str | None:
    if re.search(r"\b(noon|midday)\b", text):
        return "12:00"
    if match := re.search(rf"\b(\d{{1,2}})[:.](\d{{2}})\s*{_AMPM}?", text):
        return _clock(int(match.group(1)), int(match.group(2)), match.group(3))
    if match := re.search(rf"\b(\d{{1,2}})\s*({_AMPM[1:-1]}|o'?clock)(?!\w)", text):
        return _clock(int(match.group(1)), 0, match.group(2))
    if match := re.search(r"\b([01]\d|2[0-3])00\s*(h|hrs|hours)?\b", text):
        return f"{match.group(1)}:00"
    if match := _BARE_HOUR.search(text):
        hour = int(match.group(1))
        # Without am/pm, club hours decide: "at 3" is mid-afternoon, "at 9" is morning.
        return _clock(hour + 12 if 1 <= hour <= 7 else hour, 0, None)
    return None


def _clock(hour: int, minute: int, suffix: str | None) -> str | None:
    marker = (suffix or "").replace(".", "")
    if marker == "pm" and hour < 12:
        hour += 12
    elif marker == "am" and hour == 12:
        hour = 0
    elif marker.startswith("o") and 1 <= hour <= 7:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


def _part_of_day(text: str) -> PartOfDay | None:
    if re.search(r"\bmorning\b", text):
        return "morning"
    if re.search(r"\bafternoon\b", text):
        return "afternoon"
    if re.search(r"\b(evening|tonight|night)\b", text):
        return "evening"
    return None


def _court(text: str) -> str | None:
    match = re.search(r"\bcourt[\s_-]*([abc])\b", text)
    return f"Court {match.group(1).upper()}" if match else None
