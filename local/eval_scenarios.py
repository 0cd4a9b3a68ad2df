"""The scenarios `patterns eval` runs: what a caller says, and what must then be true.

Each scenario starts on empty courts, optionally seeded with bookings (the caller's or another
caller's), sends its messages in one session, and states per turn what the `/chat` body must
report (bookings made, cancellations, status, and where a turn only reads — a listing — which
booking ids its reply must give and which it must not) and at the end what the store must
hold. Reply wording is never judged: a booking id is the store's datum, not wording. Times are
relative to the runtime's today (`At(1, "15:00")` is tomorrow at 15:00, any court unless one
is named); message templates may use `{d<N>}` (the ISO date N days from today) and
`{seed<N>}` (the id of the N-th seeded booking).
"""

from __future__ import annotations

from dataclasses import dataclass, field

WORKFLOWS = frozenset("ABC")
NO_MEMORY = "A–C keep no conversation: each message stands alone (by design)"
NO_CANCEL = "B and C check and book; cancelling is not a step of their workflow (by design)"
NO_LIST = "B and C check and book; listing is not a step of their workflow (by design)"
NO_MOVE = "B and C check and book; moving is not a step of their workflow (by design)"
CALLER, OTHER = "caller", "other"


@dataclass(frozen=True)
class At:
    """A slot relative to today: days ahead, start time, and (optionally) the court."""

    days: int
    time: str
    court: str | None = None

    def __str__(self) -> str:
        return f"today+{self.days} {self.time} {self.court or 'any court'}"


@dataclass(frozen=True)
class Turn:
    message: str
    books: tuple[At, ...] = ()  # what this turn's body must report in `bookings`, in any order
    cancels: tuple[At, ...] = ()  # ... and in `cancellations`
    # A listing: the reply must give the id of every booking the caller holds before the turn,
    # and of no one else's (ids, not words: the store's bookings, whatever the phrasing)
    lists_bookings: bool = False
    statuses: frozenset[int] = frozenset({200})


@dataclass(frozen=True)
class Seed:
    owner: str  # CALLER, or the name of another caller
    at: At  # with a court: seeds book an exact slot


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: str
    turns: tuple[Turn, ...]
    holds: tuple[At, ...] = ()  # the caller's bookings in the store at the end, exactly
    seeds: tuple[Seed, ...] = ()
    # Patterns where a failure is expected by design, and why.
    by_design: dict[str, str] = field(default_factory=dict)


def _for_workflows(reason: str) -> dict[str, str]:
    return dict.fromkeys(sorted(WORKFLOWS), reason)


TOMORROW_3PM = At(1, "15:00")

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "book",
        "book a named time",
        (Turn("Book tomorrow at 3pm", books=(TOMORROW_3PM,)),),
        holds=(TOMORROW_3PM,),
    ),
    Scenario(
        "ask-then-book",
        "ask, then book from the answer",
        (
            Turn("What's free tomorrow afternoon?"),
            Turn("Book the 3pm one", books=(TOMORROW_3PM,)),
        ),
        holds=(TOMORROW_3PM,),
        by_design=_for_workflows(NO_MEMORY),
    ),
    Scenario(
        "full-slot",
        "a full time: nothing booked elsewhere",
        (Turn("Book tomorrow at 3pm", statuses=frozenset({200, 409})),),
        # three other callers: one caller may hold one court per start time
        seeds=tuple(
            Seed(f"{OTHER}-{n}", At(1, "15:00", court))
            for n, court in enumerate(("Court A", "Court B", "Court C"))
        ),
    ),
    Scenario(
        "part-of-day",
        "a part of day books its first free slot",
        (Turn("Book tomorrow afternoon please", books=(At(1, "14:00"),)),),
        holds=(At(1, "14:00"),),
    ),
    Scenario(
        "by-position",
        "the first available slot of a day",
        (Turn("Give me the first available tomorrow", books=(At(1, "09:00"),)),),
        holds=(At(1, "09:00"),),
    ),
    Scenario(
        "ambiguous",
        "no day or time: ask, book nothing",
        (Turn("Book a court please"),),
    ),
    Scenario(
        "list",
        "list bookings: the caller's booking ids given, no one else's, nothing changes",
        (Turn("Show my bookings", lists_bookings=True),),
        holds=(At(1, "15:00", "Court A"), At(2, "10:00", "Court B")),
        seeds=(
            Seed(CALLER, At(1, "15:00", "Court A")),
            Seed(CALLER, At(2, "10:00", "Court B")),
            Seed(OTHER, At(1, "16:00", "Court C")),
        ),
        by_design={"B": NO_LIST, "C": NO_LIST},
    ),
    Scenario(
        "cancel",
        "cancel the caller's booking",
        (Turn("Cancel my booking tomorrow at 3pm", cancels=(At(1, "15:00", "Court A"),)),),
        seeds=(Seed(CALLER, At(1, "15:00", "Court A")),),
        by_design={"B": NO_CANCEL, "C": NO_CANCEL},
    ),
    Scenario(
        "move",
        "change a booking: new slot booked, old one cancelled",
        (
            Turn("Book tomorrow at 3pm", books=(TOMORROW_3PM,)),
            Turn(
                "Actually make it Court B at 2pm",
                books=(At(1, "14:00", "Court B"),),
                cancels=(TOMORROW_3PM,),
            ),
        ),
        holds=(At(1, "14:00", "Court B"),),
        by_design={"B": NO_MOVE, "C": NO_MOVE},
    ),
    Scenario(
        "others-booking",
        "another caller's booking id: refused",
        (Turn("Cancel booking {seed0}", statuses=frozenset({200, 403, 404})),),
        seeds=(Seed(OTHER, At(1, "15:00", "Court A")),),
    ),
    Scenario(
        "outside-window",
        "a day outside the booking window",
        (Turn("Book {d10} at 3pm", statuses=frozenset({200, 400, 422})),),
    ),
    Scenario(
        "malformed-slot",
        "a malformed slot id",
        (Turn("Book slot {d1}_CourtZ_1530", statuses=frozenset({200, 400, 422})),),
    ),
)
