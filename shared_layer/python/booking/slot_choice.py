"""Which free slot a request means: the one booking rule A, B and C apply after the model.

A request names a start time, a part of the day or a position ("the second one"), and perhaps
a court; `choose_slot` picks among the free slots in the order they are listed, so "the second
one" is the second slot a listing of them shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from booking.day_parts import PartOfDay, in_part_of_day
from booking.errors import UnknownCourt
from booking.models import Slot, parse_time
from booking.schedule import Schedule


class SlotWish(Protocol):
    """What a request says about the slot it wants (a `BookingRequest` is one)."""

    time: str | None
    part_of_day: PartOfDay | None
    court: str | None
    slot_preference: int | None


def choose_slot(free: Sequence[Slot], wish: SlotWish, schedule: Schedule) -> Slot | None:
    """The slot to book among `free` (free slots in availability order):

    - with a start time: that time, on the preferred court if it is free there, else the
      first free court (or the Nth with `slot_preference`);
    - with a part of the day and no time: its earliest free slot (or the Nth);
    - with `slot_preference` alone: the Nth free slot of the day ("first available" = 1);
    - otherwise None: nothing to book yet — ask which time, offering the free slots.

    A preferred court (read as `Schedule.court` reads a name) narrows the choice when it has a
    free slot that fits, else any court does. None also when fewer slots fit than the position
    asked for."""
    if wish.time:
        at = parse_time(wish.time).strftime("%H:%M")
        fitting = [slot for slot in free if slot.time == at]
    elif wish.part_of_day or wish.slot_preference:
        fitting = [slot for slot in free if in_part_of_day(slot.start, wish.part_of_day)]
    else:
        return None
    if wish.court:
        court = _court_named(wish.court, schedule)
        fitting = [s for s in fitting if s.court == court] or fitting
    position = max(wish.slot_preference or 1, 1)
    return fitting[position - 1] if len(fitting) >= position else None


def _court_named(name: str, schedule: Schedule) -> str | None:
    """The schedule's court by that name; None for a name that is no court (finding the slots
    has refused it already, so here it is simply no preference)."""
    try:
        return schedule.court(name)
    except UnknownCourt:
        return None
