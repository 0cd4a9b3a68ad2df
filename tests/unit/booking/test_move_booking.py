"""Moving a booking: the new slot is booked first, then the old one cancelled; both are in the
turn's record and spend its budget; if the new slot cannot be had, the old booking stays. The
caller's ledger allows exactly the replacement (same time, other court), and a crash between
the writes is settled by the caller's next booking."""

import datetime as dt

import pytest

from booking.effects import TurnEffects, WriteBudget
from booking.errors import AlreadyBookedThatTime
from booking.service import BookingService, SlotQuery
from booking.store import RESERVATION_GRACE, DynamoBookingStore
from booking.tools import invoke_tool
from tests.utils import owners

DAY = "2026-11-25"
A14, B14, C14 = (f"{DAY}_Court{c}_1400" for c in "ABC")


def move(service, arguments: dict, user: str = "alice", effects: TurnEffects | None = None):
    return invoke_tool("move_booking", service, user, arguments, effects=effects or TurnEffects())


def test_moving_to_another_court_at_the_same_time_replaces_the_booking(service, store):
    held = service.book(A14, "alice")
    effects = TurnEffects()

    result = move(service, {"booking_id": held.booking_id, "court": "Court B"}, effects=effects)

    assert result["booking"]["slot_id"] == B14
    assert result["cancelled"] == held.public()
    assert owners(store) == {B14: "alice"}
    assert [b.slot_id for b in effects.bookings] == [B14]
    assert effects.cancellations == [held]
    # The ledger names the new booking at 14:00: a third court is still refused.
    third = invoke_tool("book_slot", service, "alice", {"slot_id": C14}, effects=TurnEffects())
    assert third["error"]["code"] == AlreadyBookedThatTime.code
    assert third["error"]["booking"]["slot_id"] == B14


def test_a_move_with_only_a_time_stays_on_the_bookings_day_and_frees_the_old_time(service, store):
    held = service.book(A14, "alice")

    result = move(service, {"booking_id": held.booking_id, "time": "16:00"})

    assert result["booking"]["slot_id"] == f"{DAY}_CourtA_1600"
    assert owners(store) == {f"{DAY}_CourtA_1600": "alice"}
    again = invoke_tool("book_slot", service, "alice", {"slot_id": C14}, effects=TurnEffects())
    assert again["booking"]["slot_id"] == C14  # 14:00 is no longer held in the ledger


def test_a_move_into_a_taken_slot_keeps_the_old_booking(service, store):
    held = service.book(A14, "alice")
    service.book(B14, "bob")
    effects = TurnEffects()

    result = move(service, {"booking_id": held.booking_id, "slot_id": B14}, effects=effects)

    assert result["error"]["code"] == "slot_taken"
    assert "unchanged" in result["error"]["message"]
    assert owners(store) == {A14: "alice", B14: "bob"}
    assert not effects.changed_anything
    assert effects.remaining("book") == 2 and effects.remaining("cancel") == 2
    # The old booking still holds 14:00 in the ledger (restored, not released).
    third = invoke_tool("book_slot", service, "alice", {"slot_id": C14}, effects=TurnEffects())
    assert third["error"]["booking"]["booking_id"] == held.booking_id


@pytest.mark.parametrize(
    ("target", "code"),
    [({"court": "Court D"}, "unknown_court"), ({"court": "Court B"}, "no_free_slot")],
)
def test_a_new_slot_refused_before_the_booking_says_the_old_one_is_kept(
    service, store, target, code
):
    # Given alice holds Court A at 14:00 and bob Court B at 14:00
    held = service.book(A14, "alice")
    service.book(B14, "bob")

    # When she moves to a court that does not exist, or to the one bob holds
    result = move(service, {"booking_id": held.booking_id, **target})

    # Then the refusal says why and that her booking is kept; nothing changed
    assert result["error"]["code"] == code
    assert result["error"]["message"].endswith(
        "Your booking of Court A at 14:00 on Wed 25 Nov is unchanged."
    )
    assert owners(store) == {A14: "alice", B14: "bob"}


def test_a_move_costs_one_booking_and_one_cancellation_of_the_turns_budget(service, store):
    first = service.book(A14, "alice")
    second = service.book(f"{DAY}_CourtA_1500", "alice")
    effects = TurnEffects(WriteBudget(max_bookings=2, max_cancellations=1))

    moved = move(service, {"booking_id": first.booking_id, "court": "Court B"}, effects=effects)
    refused = move(service, {"booking_id": second.booking_id, "time": "16:00"}, effects=effects)

    assert moved["booking"]["slot_id"] == B14
    assert refused["error"]["code"] == "turn_write_limit"
    assert effects.ended_by == "cancel"
    assert effects.remaining("book") == 1  # the refused move's booking claim was given back
    assert owners(store) == {B14: "alice", f"{DAY}_CourtA_1500": "alice"}


def test_someone_elses_booking_cannot_be_moved(service, store):
    held = service.book(A14, "bob")

    result = move(service, {"booking_id": held.booking_id, "court": "Court B"})

    assert result["error"]["code"] == "not_your_booking"
    assert owners(store) == {A14: "bob"}


def test_a_move_at_the_cap_of_upcoming_bookings_is_allowed(store, schedule):
    service = BookingService(store, schedule, max_active_bookings=1)
    held = service.book(A14, "alice")

    result = move(service, {"booking_id": held.booking_id, "date": "2026-11-26", "time": "09:00"})

    assert result["booking"]["slot_id"] == "2026-11-26_CourtA_0900"
    assert owners(store) == {"2026-11-26_CourtA_0900": "alice"}


def test_moving_to_the_slot_it_already_has_changes_nothing(service, store):
    held = service.book(A14, "alice")

    result = move(service, {"booking_id": held.booking_id, "slot_id": A14})

    assert result["error"]["code"] == "invalid_request"
    assert owners(store) == {A14: "alice"}


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 24, 10, 30, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def test_a_move_that_crashed_after_booking_the_new_slot_is_finished_by_the_next_booking(
    store, schedule
):
    clock = Clock()
    service = BookingService(store, schedule, wall_clock=clock)
    old = service.book(A14, "alice")
    service.book(B14, "alice", replacing=old)  # ... and the process dies before the cancel
    assert owners(store) == {A14: "alice", B14: "alice"}

    clock.now += RESERVATION_GRACE * 2
    service.book(f"{DAY}_CourtA_1600", "alice")

    assert owners(store) == {B14: "alice", f"{DAY}_CourtA_1600": "alice"}


def test_a_move_that_crashed_before_booking_the_new_slot_leaves_the_old_booking(dynamodb, schedule):
    class Crashing(DynamoBookingStore):
        crash = False

        def add(self, booking, user_id):
            if self.crash:
                raise RuntimeError("container killed")
            super().add(booking, user_id)

    store = Crashing("bookings-under-test", dynamodb)
    clock = Clock()
    service = BookingService(store, schedule, wall_clock=clock)
    old = service.book(A14, "alice")
    store.crash = True
    with pytest.raises(RuntimeError):
        service.move(old.booking_id, SlotQuery(court="Court B"), "alice")
    store.crash = False

    clock.now += RESERVATION_GRACE * 2
    third = invoke_tool("book_slot", service, "alice", {"slot_id": C14}, effects=TurnEffects())

    assert third["error"]["booking"]["booking_id"] == old.booking_id
    assert owners(store) == {A14: "alice"}
