"""Natural-language understanding for the offline stand-in model.

Turns one user message about tennis courts into a `UserRequest` (what the user wants, for which
day, time, part of day, court, position among the free slots, or booking), resolves follow-ups
("book the 3pm one", "the second one", "move it to 4pm", "yes please") against what was said
earlier, and finds "today" in a prompt. Pure functions over text, except for two documented
inputs: "today" (`PATTERNS_TODAY`, then the UTC clock, when no prompt says it) and the booking
configuration (`booking.schedule.Schedule.from_env()`: courts, start times, booking window).

Why the configuration and not the prompt: the stand-in runs in the process (and environment)
of the handlers it serves, so it reads the one source the booking rules read; the prompts
state the schedule in prose owned by each pattern (pattern H's instruction does not take it
from configuration at all), and parsing that prose would couple the test double to wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Literal, get_args

from booking.day_parts import PartOfDay, in_part_of_day
from booking.models import court_key
from booking.schedule import Schedule
from settings import Settings

Intent = Literal["check_availability", "book", "move", "list_bookings", "cancel", "other"]
INTENTS: tuple[Intent, ...] = get_args(Intent)
PARTS_OF_DAY: tuple[PartOfDay, ...] = get_args(PartOfDay)

# A slot id's court is the court's name without spaces (booking.models.court_key).
SLOT_ID = re.compile(
    r"(?<![\w-])(\d{4}-\d{2}-\d{2})_([A-Za-z0-9]+)_([0-2]\d)([0-5]\d)(?!\w|\.\w)", re.IGNORECASE
)
BOOKING_ID = re.compile(
    r"(?<![\w-])(\d{4}-\d{2}-\d{2})_([A-Za-z0-9]+)_([0-2]\d)([0-5]\d)\.([0-9a-z]+)\b", re.IGNORECASE
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
        "move",
        re.compile(
            r"\b(move|reschedule)\b|\bmake it\b|\binstead\b"
            r"|\b(switch|change)\b.*\b(it|that|my (booking|reservation|court))\b"
        ),
    ),
    (
        "list_bookings",
        re.compile(
            r"\bmy (bookings?|reservations?|courts|slots)\b"
            r"|\bwhat (have|did) i (booked|book|reserved|reserve)\b"
            r"|\blist\b|\bshow (me )?my\b|\bdo i have (any )?(bookings|reservations)\b"
        ),
    ),
    (
        "book",
        re.compile(r"\b(book|booking|reserve|reservation|grab|i'?ll take|give me|get me)\b"),
    ),
    (
        "check_availability",
        re.compile(
            r"\b(free|available|availability|open|vacant|what'?s|what is|whats|anything"
            r"|any (slots?|courts?|times?)|when can)\b"
        ),
    ),
)
_SLOT_INTENTS = ("check_availability", "book")
_CONFIRMATION = re.compile(
    r"^\W*(yes|yep|yeah|yup|sure|ok|okay|please do|do it|go ahead|sounds good|perfect|great)\b"
)
_FOLLOW_UP = re.compile(
    r"\b(it|that|that one|this one|the [\w: ]{1,12} one|same|those|first one|either)\b"
)
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
    "fourth": 4, "4th": 4, "fifth": 5, "5th": 5, "sixth": 6, "6th": 6,
}  # fmt: skip
_POSITION = re.compile(
    r"\b(" + "|".join(_ORDINALS) + r")\b(?=\s*(?:free|available|open|possible)?\s*"
    r"(?:one|slot|court|option|time|available|free|thing available)\b"
    r"|\s*(?:please|pls|thanks|\.|,|!|$))"
    r"|\b(?:option|slot|number|no\.?)\s*#?([1-9])\b(?!\s*(?:am|pm|:|\.\d|o'?clock))"
)


@dataclass(frozen=True)
class UserRequest:
    """What one user message asks for; unknown parts are None.

    `position` is the 1-based place among the free slots that match the rest (1 = the first
    available); `slot_id` is a slot named outright, or the one an earlier reply offered;
    `listed` the slot ids the previous reply listed, in the order shown (what a position in
    the next message counts among).
    """

    intent: Intent = "other"
    date: str | None = None
    time: str | None = None
    part_of_day: PartOfDay | None = None
    court: str | None = None
    position: int | None = None
    booking_id: str | None = None
    slot_id: str | None = None
    is_follow_up: bool = False
    is_confirmation: bool = False
    listed: tuple[str, ...] = ()

    def has_details(self) -> bool:
        return any(
            (self.date, self.time, self.part_of_day, self.court, self.position, self.booking_id)
        )

    def names_slot(self) -> bool:
        """Says which slot, beyond the day: a time, part of day, court or position."""
        return any((self.time, self.part_of_day, self.court, self.position))


def schedule() -> Schedule:
    """The booking configuration the handlers use (courts, start times, booking window)."""
    return Schedule.from_env()


def find_today(texts: Iterable[str]) -> date:
    """The most recent `Today is YYYY-MM-DD` in the texts, else `PATTERNS_TODAY`, else UTC now."""
    found: str | None = None
    for text in texts:
        for match in TODAY_LINE.finditer(text or ""):
            found = match.group(1)
    for candidate in (found, (Settings.from_env().patterns_today or "")[:10]):
        if candidate:
            try:
                return date.fromisoformat(candidate)
            except ValueError:
                continue
    return datetime.now(UTC).date()


def part_of_day_of(time: str) -> PartOfDay:
    """The club's part of the day (booking.day_parts) a start time falls in."""
    start = datetime.strptime(time[:5], "%H:%M").time()
    return next(part for part in PARTS_OF_DAY if in_part_of_day(start, part))


def court_named(key: str) -> str:
    """The configured court whose slot-id key is `key` ('CourtB' -> 'Court B'); an unknown key
    is spelled the way the configured names are ('CourtD' -> 'Court D')."""
    for court in schedule().courts:
        if court_key(court).lower() == key.lower():
            return court
    match = re.fullmatch(r"court[\s_-]*(\w+)", key, re.IGNORECASE)
    return f"Court {match.group(1).upper()}" if match else key


def classify_intent_label(label: str) -> Intent | None:
    """The intent a tool name, enum value or description points at, by keyword; None if none."""
    words = re.sub(r"([a-z])([A-Z])", r"\1_\2", label).lower()
    if "cancel" in words:
        return "cancel"
    if "move" in words or "reschedul" in words or "change" in words:
        return "move"
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
    slot_id = _slot_id(text)
    id_date, id_time, id_court = _parts_of_id(text)
    # Ids carry digits that would otherwise read as dates and times.
    rest = SLOT_ID.sub(" ", BOOKING_ID.sub(" ", lowered))
    intent = _intent(rest)
    position = _position(rest)
    said = (_date(rest, today), _time(_ISO_DATE.sub(" ", rest)), _court(rest))
    part_of_day = _part_of_day(rest)
    if intent == "move":
        # "Move 2026-11-25_CourtA_1500.ab12cd34 to 4pm": the id names the booking to move,
        # the words name where to; the day defaults to the booking's own.
        date_, time, court = said[0] or id_date, said[1], said[2]
        if (new := _move_target(rest, today)) is not None:
            # "Move my booking tomorrow at 3pm to 4pm": the words after "to" are the new
            # slot; the rest describes the old booking (its day is the new one's too, unless
            # the new slot names its own).
            new_date, time, part_of_day, court = new
            date_ = new_date or date_
    else:
        date_, time, court = id_date or said[0], id_time or said[1], id_court or said[2]
    if intent in ("check_availability", "other") and position is not None:
        intent = "book"  # "Tomorrow 3pm, first slot", "Give me the first available tomorrow"
    return UserRequest(
        intent=intent,
        date=date_,
        time=time,
        part_of_day=part_of_day,
        court=court,
        position=position,
        booking_id=booking_id,
        slot_id=None if booking_id else slot_id,
        is_follow_up=bool(
            _FOLLOW_UP.search(rest) or _CONFIRMATION.search(rest) or _LONE_COURT.fullmatch(rest)
        ),
        is_confirmation=bool(_CONFIRMATION.search(rest)),
    )


def merge_follow_up(current: UserRequest, earlier: UserRequest) -> UserRequest:
    """Fill what a follow-up leaves out ("book the 3pm one") from the earlier context.

    A message naming its own day starts afresh; otherwise the day, and the time or part of day
    when the message names neither, carry over, and so do the court and booking. A message
    with no intent of its own continues the earlier one ("and on Friday?", "4pm then"); one
    that only names a slot ("the 3pm one", "the second one", "B", "yes") after a check or
    booking means "book it" (a bare "yes" books the slot an earlier reply offered, and "the
    second one" the second slot it listed, in the order shown); after a failed move, that slot
    is where to move the booking. One that names a day or time out of the blue ("can I play at
    3?") is an availability question. A move ("make it 2pm") takes the booking from the context
    and never its court or time.
    """
    intent = current.intent
    if intent == "move":
        return _merge_move(current, earlier)
    if intent == "other" and current.is_follow_up and earlier.intent in (*_SLOT_INTENTS, "move"):
        intent = "book"
    elif intent == "other" and current.has_details():
        if earlier.intent in ("other", "list_bookings", "cancel"):
            intent = "check_availability"
        else:
            # "4pm then" after a move (refused or done) is that move again, never a second court
            intent = earlier.intent
    if current.date is not None:
        return replace(current, intent=intent)
    chosen = None
    if current.is_confirmation and not current.names_slot() and earlier.slot_id:
        chosen = earlier.slot_id  # "Yes please" to the slot the previous reply offered
    elif current.position and not (current.time or current.part_of_day) and earlier.listed:
        # "The second one": the second of the slots the previous reply listed, as shown.
        listed = [s for s in earlier.listed if current.court in (None, _parts_of_id(s)[2])]
        if current.position <= len(listed):
            chosen = listed[current.position - 1]
    if chosen is not None:
        day, time, court = _parts_of_id(chosen)
        offered = {"date": day, "time": time, "court": court, "slot_id": chosen}
        # A slot offered or listed after a failed move is where to move the booking, not
        # another booking beside it.
        moving = intent == "book" and earlier.intent == "move" and earlier.booking_id
        booking_id = earlier.booking_id if moving else current.booking_id
        return replace(
            current,
            intent="move" if moving else intent,
            part_of_day=None,
            position=None,
            booking_id=booking_id,
            **offered,
        )
    time, part = current.time, current.part_of_day
    if time is None and part is None:
        time, part = earlier.time, earlier.part_of_day
    booking_id = current.booking_id or (None if current.names_slot() else earlier.booking_id)
    if intent == "move":
        booking_id = current.booking_id or earlier.booking_id
    return replace(
        current,
        intent=intent,
        date=earlier.date,
        time=time,
        part_of_day=part,
        court=current.court or earlier.court,
        booking_id=booking_id,
    )


def _merge_move(current: UserRequest, earlier: UserRequest) -> UserRequest:
    return replace(
        current,
        date=current.date or earlier.date,
        booking_id=current.booking_id or earlier.booking_id,
    )


_TO = re.compile(r"\bto\b")


def _move_target(
    text: str, today: date
) -> tuple[str | None, str | None, PartOfDay | None, str | None] | None:
    """The new slot of a move, from the words after its last "to" ("... at 3pm to 4pm",
    "change it from Court A to Court B"): (date, time, part of day, court), or None when
    those words name no slot ("I'd like to move it")."""
    found = list(_TO.finditer(text))
    if not found:
        return None
    after = text[found[-1].end() :]
    target = (
        _date(after, today),
        _time(_ISO_DATE.sub(" ", after)),
        _part_of_day(after),
        _court(after),
    )
    return target if any(value is not None for value in target) else None


def _intent(text: str) -> Intent:
    for intent, pattern in _INTENT_RULES:
        if pattern.search(text):
            return intent
    return "other"


def _booking_id(text: str) -> str | None:
    match = BOOKING_ID.search(text)
    return match.group(0) if match else None


def _slot_id(text: str) -> str | None:
    match = SLOT_ID.search(text)
    if not match:
        return None
    day, key, hour, minute = match.groups()
    return f"{day}_{court_key(court_named(key))}_{hour}{minute}"


def _parts_of_id(text: str) -> tuple[str | None, str | None, str | None]:
    match = BOOKING_ID.search(text) or SLOT_ID.search(text)
    if not match:
        return None, None, None
    day, key, hour, minute = match.group(1, 2, 3, 4)
    return day, f"{hour}:{minute}", court_named(key)


def _position(text: str) -> int | None:
    match = _POSITION.search(text)
    if not match:
        return None
    return _ORDINALS[match.group(1)] if match.group(1) else int(match.group(2))


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_LONE_COURT = re.compile(r"\W*([a-z])(?:\s+(?:please|then|pls))?\W*")
_DAY_MONTH = re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?!\w)")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY}\b")
_BARE_HOUR = re.compile(
    r"(?:\bat|\baround|\babout|@)\s*(\d{1,2})\b(?![/-]|\s*(st|nd|rd|th)\b)"
    r"|^\W*(\d{1,2})\s*(?:then|instead|please)?\W*$"
)


def _date(text: str, today: date) -> str | None:
    if match := _ISO_DATE.search(text):
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            return None
    if re.search(r"\bday after tomorrow\b", text):
        return (today + timedelta(days=2)).isoformat()
    if re.search(r"\btomorrow\b|\btmrw\b|\btmr\b", text):
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
        return _club_hour(int(match.group(1) or match.group(3)))
    return None


def _club_hour(hour: int) -> str | None:
    """A bare hour ("at 3") as the club's start times read it: the one of `hour` and
    `hour + 12` that starts a slot; if neither or both do, afternoon for 1-7."""
    starts = {t.hour for t in schedule().start_times}
    candidates = [h for h in (hour, hour + 12) if h in starts and hour <= 12]
    if len(candidates) == 1:
        return _clock(candidates[0], 0, None)
    return _clock(hour + 12 if 1 <= hour <= 7 else hour, 0, None)


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
    """A configured court named in the text; else "court X" said of a court that may not
    exist (passed on, for the booking rules to refuse by name); else a message that is only
    a court's letter ("B") after a list of courts."""
    courts = schedule().courts
    for court in sorted(courts, key=len, reverse=True):
        if re.search(rf"(?<!\w){re.escape(court.lower())}(?!\w)", text):
            return court
    if match := re.search(r"\bcourt[\s_-]*(?:no\.?\s*|number\s*)?([a-z]|\d{1,2})\b", text):
        return court_named(f"Court{match.group(1)}")
    if match := _LONE_COURT.fullmatch(text):
        letter = match.group(1)
        named = [c for c in courts if c.lower().split()[-1] == letter]
        return named[0] if len(named) == 1 else None
    return None
