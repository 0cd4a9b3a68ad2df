"""What the offline stand-in model says: friendly replies built only from the facts it was given.

Every sentence here is rendered from tool results or a JSON facts object (free slots, a booking,
an error with alternatives, ...). Nothing is claimed that those facts do not contain.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from booking.models import court_key

from .language import (
    INTENTS,
    SLOT_ID,
    UserRequest,
    classify_intent_label,
    court_named,
    part_of_day_of,
    schedule,
)

Slot = Mapping[str, Any]
FACT_KEYS = ("booking", "free_slots", "alternatives", "bookings", "cancelled", "error", "request")


def pretty_date(iso: str | None) -> str:
    """`2026-11-25` -> `Wed 25 Nov`; anything unparseable is returned as given."""
    try:
        day = date.fromisoformat(iso or "")
    except ValueError:
        return iso or "that day"
    return f"{day:%a} {day.day} {day:%b}"


def slot_fields(slot: Slot) -> dict[str, str]:
    """court/date/time of a slot or booking, read from its fields or else from its slot id."""
    fields = {key: str(slot[key]) for key in ("court", "date", "time") if slot.get(key)}
    match = SLOT_ID.match(str(slot.get("slot_id", "")))
    if match:
        day, court, hour, minute = match.groups()
        fields.setdefault("court", court_named(court))
        fields.setdefault("date", day)
        fields.setdefault("time", f"{hour}:{minute}")
    return fields


def describe_slot(slot: Slot) -> str:
    fields = slot_fields(slot)
    return (
        f"{fields.get('court', 'a court')} on {pretty_date(fields.get('date'))} "
        f"at {fields.get('time', '?')}"
    )


def free_times(slots: Sequence[Slot]) -> str:
    """`14:00 (Court A, Court B), 15:00 (Court A)`: grouped by start time, in time order, the
    courts in the configured order: the order a position ("the second one") counts in."""
    by_time: dict[str, list[str]] = {}
    for slot in _in_order(slots):
        fields = slot_fields(slot)
        by_time.setdefault(fields.get("time", "?"), []).append(fields.get("court", "?"))
    return ", ".join(f"{time} ({', '.join(courts)})" for time, courts in by_time.items())


def listed_slots(text: str, day: str | None) -> list[str]:
    """The slot ids a reply listed in `free_times`' form, in the order shown: what a position
    in the next message ("the second one") counts among. Only groups naming configured courts
    count (a slot id in brackets is not a listing)."""
    if not day:
        return []
    courts = schedule().courts
    listed = []
    for match in _LISTED.finditer(text or ""):
        names = match.group(2).split(", ")
        if all(name in courts for name in names):
            hhmm = match.group(1).replace(":", "")
            listed += [f"{day}_{court_key(name)}_{hhmm}" for name in names]
    return listed


_LISTED = re.compile(r"\b([0-2]\d:[0-5]\d) \(([^()]+)\)")


def _in_order(slots: Sequence[Slot]) -> list[Slot]:
    """Slots by start time, then court in the configured order (unknown courts last)."""

    def key(slot: Slot) -> tuple[str, int, str]:
        fields = slot_fields(slot)
        court = fields.get("court", "")
        return fields.get("time", ""), court_rank(court), court

    return sorted(slots, key=key)


def court_rank(court: str) -> int:
    """A court's place in the configured order (an unknown court comes after them all)."""
    courts = schedule().courts
    return courts.index(court) if court in courts else len(courts)


def nearest_slots(slots: Sequence[Slot], time: str, limit: int = 3) -> list[Slot]:
    """Free slots at the `limit` start times closest to `time` (earlier wins a tie)."""
    wanted = _minutes(time)
    times = sorted({slot_fields(s).get("time", "") for s in slots} - {time, ""})
    closest = sorted(times, key=lambda t: (abs(_minutes(t) - wanted), _minutes(t)))[:limit]
    return [s for s in slots if slot_fields(s).get("time") in closest]


def matching_slots(slots: Sequence[Slot], request: UserRequest) -> list[Slot]:
    """Slots at the requested time, or in the requested part of the day (court not applied)."""
    selected = list(slots)
    if request.time:
        selected = [s for s in selected if slot_fields(s).get("time") == request.time]
    elif request.part_of_day:
        selected = [
            s
            for s in selected
            if part_of_day_of(slot_fields(s).get("time", "00:00")) == request.part_of_day
        ]
    return selected


def availability_reply(
    day: str | None, slots: Sequence[Slot], request: UserRequest, *, standalone: bool = False
) -> str:
    """Answer "what's free?" from an availability result (`slots` are its free slots).
    `standalone`: the reply of a one-message pattern (B, C), so no yes/no offer."""
    when = _when(day, request)
    wanted = matching_slots(slots, request)
    if request.court and wanted:
        on_court = [s for s in wanted if slot_fields(s).get("court") == request.court]
        if on_court and request.time:
            return f"{request.court} is free {when}."
        if on_court:
            return f"{request.court} is free {when}: {free_times(on_court)}."
        return f"{request.court} is not free {when}, but these are: {_listing(wanted, request)}."
    if wanted:
        return f"Free {when}: {_listing(wanted, request)}."
    if request.time:
        return full_reply(day, request.time, slots, standalone=standalone)
    return f"Nothing is free {when}."


def full_reply(
    day: str | None, time: str, slots: Sequence[Slot], *, standalone: bool = False
) -> str:
    """The requested time has nothing free; offer the nearest free slot if there is one."""
    nearest = nearest_slots(slots, time)
    text = f"Sorry, {time} on {pretty_date(day)} is fully booked."
    if nearest:
        offered = offer(nearest, time, standalone=standalone)
        return f"{text} Nearest free times: {free_times(nearest)}. {offered}"
    return f"{text} Nothing else is free that day."


def offer(
    slots: Sequence[Slot],
    time: str | None,
    moving: str | None = None,
    *,
    standalone: bool = False,
) -> str:
    """Offer one slot, by id, so that a "yes" in the next message can book exactly it: the
    free slot nearest `time` (the earlier on a tie, then the first court). `moving`: the id of
    the booking a failed move was for, so the offer is to move it there. `standalone`: the
    reply of a pattern where each message stands alone (B, C), where a "yes" would mean
    nothing: say what to ask for instead."""
    wanted = _minutes(time) if time else 0

    def key(slot: Slot) -> tuple[int, int, int]:
        fields = slot_fields(slot)
        minutes = _minutes(fields.get("time", "00:00"))
        return abs(minutes - wanted), minutes, court_rank(fields.get("court", ""))

    best = min(slots, key=key)
    slot_id = f" (slot {best['slot_id']})" if best.get("slot_id") else ""
    if standalone:
        return f'Say "Book {describe_slot(best)}" to book it.'
    if moving:
        # The offer of a failed move is a move: "yes" books it and cancels `moving`.
        return f"Shall I move your booking {moving} to {describe_slot(best)}{slot_id} instead?"
    return f"Shall I book {describe_slot(best)}{slot_id}?"


def options_reply(day: str | None, slots: Sequence[Slot], request: UserRequest) -> str:
    """A booking request without a time: list the options and ask which one."""
    wanted = matching_slots(slots, request)
    if request.court:
        wanted = [s for s in wanted if slot_fields(s).get("court") == request.court] or wanted
    when = _when(day, request)
    if not wanted:
        return f"Nothing is free {when}. Would another day suit you?"
    if request.time:
        return f"Free {when}: {_listing(wanted, request)}. Which court would you like?"
    return f"Free {when}: {free_times(wanted)}. Which time would you like me to book?"


def beyond_position_reply(
    day: str | None, slots: Sequence[Slot], request: UserRequest, position: int
) -> str:
    """Fewer free slots fit than the position asked for (as the booking rules word it)."""
    are = "slots are" if len(slots) > 1 else "slot is"
    on = f" on {request.court}" if request.court else ""
    return (
        f"Only {len(slots)} {are} free {_when(day, request)}{on}, so there is no number "
        f"{position}; nothing was booked. Free: {free_times(slots)}. {offer(slots, request.time)}"
    )


def booked_reply(booking: Slot) -> str:
    booking_id = booking.get("booking_id")
    suffix = f" Your booking id is {booking_id}." if booking_id else ""
    return f"Booked: {describe_slot(booking)}.{suffix}"


def bookings_reply(bookings: Sequence[Slot]) -> str:
    if not bookings:
        return "You have no bookings."
    listed = "; ".join(f"{describe_slot(b)} (id {b.get('booking_id', '?')})" for b in bookings)
    noun = "booking" if len(bookings) == 1 else "bookings"
    return f"You have {len(bookings)} {noun}: {listed}."


def cancelled_reply(cancelled: Slot) -> str:
    booking_id = cancelled.get("booking_id")
    suffix = f" (id {booking_id})" if booking_id else ""
    return f"Cancelled your booking: {describe_slot(cancelled)}{suffix}."


def error_reply(
    error: Mapping[str, Any],
    alternatives: Sequence[Slot] = (),
    time: str | None = None,
    moving: str | None = None,
    *,
    standalone: bool = False,
) -> str:
    """A domain error from a tool, plus its alternatives (and one offered) when it has any.
    The booking rules' messages say why; the alternatives are data, listed here once.
    `moving`: the booking a failed move was for (the offer is then to move it)."""
    message = str(error.get("message") or error.get("code") or "something went wrong").rstrip(".")
    alternatives = list(error.get("alternatives") or alternatives)
    if error.get("code") == "already_booked_that_time":
        # Not a failure from the person's side: they hold a court at that time already.
        return f"{message}."
    if error.get("code") == "slot_taken":
        message = f"Sorry, {message}"  # "Sorry, Court B at 14:00 on … is already booked"
    elif error.get("code") not in _SAYS_WHAT_IS_FREE:
        message = f"Sorry, I couldn't do that: {message}"
    if alternatives:
        listed = f"Nearest free times: {free_times(alternatives)}"
        return f"{message}. {listed}. {offer(alternatives, time, moving, standalone=standalone)}"
    return f"{message}."


# Refusals that say what is (not) free in sentences of their own ("Nothing is free on Thu 3
# Dec in the morning."): shown as they are, without "Sorry, I couldn't do that".
_SAYS_WHAT_IS_FREE = ("no_free_slot", "slot_not_found", "unknown_court")


def nothing_to_move_reply(request: UserRequest) -> str:
    """A move asked for with no booking to move: nothing is booked unasked."""
    if request.date and request.time:
        when = f"on {pretty_date(request.date)} at {request.time}"
        return f"You have no booking to move. Would you like me to book a court {when} instead?"
    return "You have no booking to move. Tell me the day and time, and I can book a court."


def ambiguous_reply(bookings: Sequence[Slot]) -> str:
    return f"{bookings_reply(bookings)} Which one should I cancel?"


def ask_for_day(today: date) -> str:
    """Which day? With the booking window of the configuration (from today)."""
    last = today + timedelta(days=schedule().window_days)
    return (
        "Which day would you like to play? Courts can be booked from "
        f"{pretty_date(today.isoformat())} to {pretty_date(last.isoformat())}; tell me the day "
        "and, if you know it, the time."
    )


def moved_reply(booking: Slot, cancelled: Slot) -> str:
    """A move done: the new booking first, then the old one cancelled (its id last, so the
    new booking's id is the one a later "cancel it" finds)."""
    return (
        f"Moved: cancelled {describe_slot(cancelled)} (id {cancelled.get('booking_id', '?')}) "
        f"and booked {describe_slot(booking)}. Your booking id is {booking.get('booking_id')}."
    )


def capabilities_reply() -> str:
    courts = schedule().courts
    example = courts[1] if len(courts) > 1 else courts[0]  # a court other than the default
    return (
        "I'm the offline stand-in model. I can check which tennis courts are free, book one, "
        'list your bookings or cancel one - for example: "What\'s free tomorrow afternoon?" or '
        f'"Book {example} on Friday at 3pm".'
    )


def render_facts(
    facts: Mapping[str, Any], request: UserRequest | None = None, *, standalone: bool = False
) -> str | None:
    """A reply from a facts object such as `{"request": {...}, "free_slots": [...]}`.
    `standalone`: for a pattern where each message stands alone (B and C's reply step), which
    offers no slot to say "yes" to."""
    request = request or _request_from_facts(facts.get("request"))
    if isinstance(facts.get("error"), Mapping):
        return error_reply(facts["error"], facts.get("alternatives") or (), standalone=standalone)
    if isinstance(facts.get("booking"), Mapping) and isinstance(facts.get("cancelled"), Mapping):
        return moved_reply(facts["booking"], facts["cancelled"])
    if isinstance(facts.get("booking"), Mapping):
        return booked_reply(facts["booking"])
    if isinstance(facts.get("cancelled"), Mapping):
        return cancelled_reply(facts["cancelled"])
    if isinstance(facts.get("bookings"), list):
        return bookings_reply(facts["bookings"])
    if isinstance(facts.get("free_slots"), list):
        day = facts.get("date") or request.date
        if request.intent == "book" and not request.time:
            return options_reply(day, facts["free_slots"], request)
        return availability_reply(day, facts["free_slots"], request, standalone=standalone)
    if isinstance(facts.get("alternatives"), list):
        return error_reply(
            {"code": "slot_taken", "message": "that time is not free"},
            facts["alternatives"],
            standalone=standalone,
        )
    return None


def _request_from_facts(raw: Any) -> UserRequest:
    if not isinstance(raw, Mapping):
        return UserRequest()
    known = {
        k: raw.get(k) for k in ("date", "time", "part_of_day", "court", "position", "booking_id")
    }
    label = str(raw.get("intent") or "other")
    intent = label if label in INTENTS else classify_intent_label(label) or "other"
    return UserRequest(intent=intent, **known)


def _listing(slots: Sequence[Slot], request: UserRequest) -> str:
    """Free slots in a reply: at the time asked for, just the courts ("Court A, Court B"), as
    the time is already said; otherwise grouped by time."""
    times = {slot_fields(s).get("time") for s in slots}
    if request.time and times == {request.time}:
        return ", ".join(slot_fields(s).get("court", "?") for s in _in_order(slots))
    return free_times(slots)


def _when(day: str | None, request: UserRequest) -> str:
    text = f"on {pretty_date(day)}"
    if request.time:
        return f"{text} at {request.time}"
    return f"{text} in the {request.part_of_day}" if request.part_of_day else text


def _minutes(time: str) -> int:
    try:
        return int(time[:2]) * 60 + int(time[3:5])
    except ValueError:
        return 0
