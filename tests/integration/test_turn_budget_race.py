"""The turn's write budget holds under real concurrency: across processes (pattern H) and
across the threads of one process (parallel tool calls, patterns E-G).

Parallel action-Lambda invocations of one turn each claim the budget with a conditional
UpdateItem on the turn's counter item; parallel tool calls in one process share one
`TurnEffects`. Either way the bookings race on the caller's ledger item, and moto serialises
nothing across threads, so this is proved against the local DynamoDB server (dynalite), as the
double-booking race is.
"""

import pytest

from booking.effects import DynamoTurnCounter, TurnEffects, WriteBudget
from booking.service import BookingService
from booking.store import DynamoBookingStore
from booking.tools import invoke_tool
from local.dynamodb import BOOKINGS_TABLE
from tests.integration.conftest import race

pytestmark = pytest.mark.local_server

RACERS = 7  # one per start time: the store's per-caller rules never refuse one


def test_parallel_invocations_of_one_turn_book_at_most_its_budget(database, schedule):
    day = schedule.bookable_days()[1]
    slots = [s.slot_id for s in schedule.slots_on(day) if s.court == "Court A"][:RACERS]

    def invocation(n: int) -> dict:
        # Each thread plays one action-Lambda invocation: its own client, no shared memory.
        client = database.client()
        service = BookingService(DynamoBookingStore(BOOKINGS_TABLE, client), schedule)
        effects = TurnEffects(
            WriteBudget(max_bookings=2), DynamoTurnCounter(client, BOOKINGS_TABLE, "turn-race")
        )
        return invoke_tool("book_slot", service, "alice", {"slot_id": slots[n]}, effects=effects)

    results = race(len(slots), invocation)

    booked = [r for r in results if "booking" in r]
    refused = [r for r in results if r.get("error", {}).get("code") == "turn_write_limit"]
    assert (len(booked), len(refused)) == (2, len(slots) - 2)
    held = BookingService(DynamoBookingStore(BOOKINGS_TABLE, database.client()), schedule)
    assert len(held.list_bookings("alice")) == 2


def test_parallel_tool_calls_in_one_process_book_at_most_the_turns_budget(database, schedule):
    # Given one turn that may book two, and seven simultaneous book calls through one service
    day = schedule.bookable_days()[1]
    slots = [s.slot_id for s in schedule.slots_on(day) if s.court == "Court B"][:RACERS]
    service = BookingService(DynamoBookingStore(BOOKINGS_TABLE, database.client()), schedule)
    effects = TurnEffects(WriteBudget(max_bookings=2))

    race(
        len(slots),
        lambda n: invoke_tool(
            "book_slot", service, "alice", {"slot_id": slots[n]}, effects=effects
        ),
    )

    # Then exactly two were booked, and the store holds exactly those two
    assert len(effects.bookings) == 2
    assert sorted(b.slot_id for b in service.list_bookings("alice")) == sorted(
        b.slot_id for b in effects.bookings
    )
