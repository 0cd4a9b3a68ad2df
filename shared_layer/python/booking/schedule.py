"""The courts' schedule and clock: configuration, not code.

Everything comes from the environment (set by the CDK stack, or by the local runtime), with
the defaults of the demo club: three courts, seven one-hour start times, bookable from today
through today+6 in the courts' time zone. `PATTERNS_TODAY` pins "today" (YYYY-MM-DD, taken as
the start of that day) or "now" (an ISO date-time) for demos and tests.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from booking.errors import OutsideBookingWindow, SlotInPast, SlotNotFound, UnknownCourt
from booking.models import Slot, court_key, parse_slot_id

DEFAULT_COURTS = ("Court A", "Court B", "Court C")
DEFAULT_START_TIMES = ("09:00", "10:00", "11:00", "14:00", "15:00", "16:00", "17:00")


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def system_now(tz: ZoneInfo, pinned: str | None = None) -> dt.datetime:
    """Now in the courts' time zone, unless pinned by PATTERNS_TODAY."""
    if pinned:
        try:
            if "T" in pinned:
                moment = dt.datetime.fromisoformat(pinned)
                return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)
            return dt.datetime.combine(dt.date.fromisoformat(pinned), dt.time(0, 0), tzinfo=tz)
        except ValueError as exc:
            raise ValueError(
                f"PATTERNS_TODAY={pinned!r} is neither YYYY-MM-DD nor an ISO date-time"
            ) from exc
    return dt.datetime.now(tz)


@dataclass(frozen=True)
class Schedule:
    """Which slots exist and which of them may be booked at a given moment."""

    courts: tuple[str, ...] = DEFAULT_COURTS
    start_times: tuple[dt.time, ...] = tuple(dt.time.fromisoformat(t) for t in DEFAULT_START_TIMES)
    slot_minutes: int = 60
    window_days: int = 6  # bookable from today through today + window_days
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    clock: Callable[[], dt.datetime] | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Schedule:
        env = os.environ if env is None else env
        tz = ZoneInfo(env.get("COURT_TIMEZONE") or "UTC")
        pinned = env.get("PATTERNS_TODAY") or None
        return cls(
            courts=_split(env.get("COURTS") or ",".join(DEFAULT_COURTS)),
            start_times=tuple(
                dt.time.fromisoformat(t)
                for t in _split(env.get("SLOT_START_TIMES") or ",".join(DEFAULT_START_TIMES))
            ),
            slot_minutes=int(env.get("SLOT_MINUTES") or 60),
            window_days=int(env.get("BOOKING_WINDOW_DAYS") or 6),
            tz=tz,
            clock=lambda: system_now(tz, pinned),
        )

    # -- time ------------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        return self.clock() if self.clock else dt.datetime.now(self.tz)

    def today(self) -> dt.date:
        return self.now().date()

    def bookable_days(self) -> list[dt.date]:
        today = self.today()
        return [today + dt.timedelta(days=n) for n in range(self.window_days + 1)]

    def describe_today(self) -> str:
        """The line every prompt carries, so a model resolves "tomorrow" against our clock."""
        today = self.today()
        return f"Today is {today.isoformat()} ({today.strftime('%A')}), time zone {self.tz.key}."

    # -- slots -----------------------------------------------------------------------------
    def slots_on(self, day: dt.date, start: dt.time | None = None) -> list[Slot]:
        """Every slot on the schedule for a day (optionally one start time), time then court."""
        times = [t for t in self.start_times if start is None or t == start]
        return [Slot.of(day, court, t) for t in times for court in self.courts]

    def check_day(self, day: dt.date) -> None:
        first, last = self.bookable_days()[0], self.bookable_days()[-1]
        if not first <= day <= last:
            raise OutsideBookingWindow(
                f"{day.isoformat()} is outside the booking window: courts can be booked from "
                f"{first.isoformat()} through {last.isoformat()}."
            )

    def check_time(self, start: dt.time) -> None:
        if start not in self.start_times:
            raise SlotNotFound(
                f"No slot starts at {start.strftime('%H:%M')}; start times are "
                f"{', '.join(t.strftime('%H:%M') for t in self.start_times)}."
            )

    def court(self, name: str) -> str:
        """The court a name means ('Court B', 'court b', 'CourtB', or 'B' when the courts are
        'Court A'…): a name that is none of them raises UnknownCourt, naming those that exist."""
        wanted = court_key(name.strip()).lower()
        for court in self.courts:
            if court_key(court).lower() == wanted:
                return court
        by_last_word = [c for c in self.courts if c.split()[-1].lower() == wanted]
        if wanted and len(by_last_word) == 1:
            return by_last_word[0]
        raise UnknownCourt(name.strip() or repr(name), self.courts)

    def slot(self, slot_id: str) -> Slot:
        """Resolve a slot id (from a user, a tool call or a model) to a slot on the schedule."""
        day, key, start = parse_slot_id(slot_id)
        court = next((c for c in self.courts if court_key(c).lower() == key.lower()), None)
        if court is None:
            raise UnknownCourt(f"court '{key}'", self.courts)
        self.check_time(start)
        return Slot.of(day, court, start)

    def is_past(self, slot: Slot) -> bool:
        starts_at = dt.datetime.combine(slot.day, slot.start, tzinfo=self.tz)
        return starts_at <= self.now()

    def check_bookable(self, slot: Slot) -> None:
        self.check_day(slot.day)
        if self.is_past(slot):
            raise SlotInPast(f"{slot.date} {slot.time} has already started; pick a later slot.")
