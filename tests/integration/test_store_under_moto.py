"""The DynamoDB store against moto: the conditional writes and queries the rules rely on,
and the caller's ledger (one court per start time, a cap on upcoming bookings, idempotent
retries, and how an entry left by a crash heals). Concurrency is proved against the local
server instead (test_double_booking_race.py): moto is not atomic under threads."""

import datetime as dt

import pytest

from booking.errors import (
    AlreadyBookedThatTime,
    BookingBusy,
    BookingNotFound,
    NotYourBooking,
    SlotTaken,
    TooManyBookings,
)
from booking.models import Booking
from booking.schedule import Schedule
from booking.service import LEDGER_ATTEMPTS, BookingService
from booking.store import RESERVATION_GRACE, DynamoBookingStore, Reservation
from booking.table import PARTITION_KEY, SORT_KEY, USER_INDEX_NAME
from tests.conftest import NOW
from tests.integration.conftest import TABLE, booking_items


def test_a_booking_is_one_item_keyed_by_day_and_slot(service, dynamodb):
    booking = service.book("2026-11-25_CourtB_1500", "alice")

    item = dynamodb.get_item(
        TableName=TABLE,
        Key={
            PARTITION_KEY: {"S": "DATE#2026-11-25"},
            SORT_KEY: {"S": "SLOT#2026-11-25_CourtB_1500"},
        },
    )["Item"]
    assert item["user_id"]["S"] == "alice"
    assert item["booking_id"]["S"] == booking.booking_id
    assert int(item["expires_at"]["N"]) > 0


def test_the_conditional_put_refuses_a_second_booking_in_sequence(service, dynamodb):
    service.book("2026-11-25_CourtB_1500", "alice")
    with pytest.raises(SlotTaken):
        service.book("2026-11-25_CourtB_1500", "bob")
    assert booking_items(dynamodb) == [("2026-11-25_CourtB_1500", "alice")]


def test_availability_and_listing_read_back_what_was_stored(service):
    service.book("2026-11-25_CourtA_1500", "alice")
    service.book("2026-11-26_CourtC_0900", "alice")
    service.book("2026-11-25_CourtB_1500", "bob")

    free = service.check_availability("2026-11-25", "15:00")
    mine = service.list_bookings("alice")

    assert [s.court for s in free] == ["Court C"]
    assert [b.slot_id for b in mine] == ["2026-11-25_CourtA_1500", "2026-11-26_CourtC_0900"]


def test_cancel_is_conditioned_on_the_owner(service, dynamodb):
    booking = service.book("2026-11-25_CourtA_1500", "alice")

    with pytest.raises(NotYourBooking):
        service.cancel(booking.booking_id, "mallory")
    with pytest.raises(BookingNotFound):
        service.cancel("2026-11-25_CourtA_1500.00000000", "alice")
    assert booking_items(dynamodb) == [("2026-11-25_CourtA_1500", "alice")]

    service.cancel(booking.booking_id, "alice")
    assert booking_items(dynamodb) == []


# -- the caller's ledger ---------------------------------------------------------------------
WALL = dt.datetime(2026, 11, 24, 10, 30, tzinfo=dt.UTC)


class Clock:
    """A clock a test moves by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def wall():
    return Clock(WALL)


@pytest.fixture
def ledger_service(dynamodb, schedule, wall) -> BookingService:
    store = DynamoBookingStore(TABLE, dynamodb)
    return BookingService(store, schedule, max_active_bookings=3, wall_clock=wall)


def test_the_ledger_is_one_item_per_caller_outside_the_user_index(ledger_service, dynamodb):
    booking = ledger_service.book("2026-11-25_CourtB_1500", "alice")

    ledger = dynamodb.get_item(
        TableName=TABLE, Key={PARTITION_KEY: {"S": "USER#alice"}, SORT_KEY: {"S": "LEDGER"}}
    )["Item"]
    assert "user_id" not in ledger
    assert ledger["entries"]["M"]["2026-11-25T15:00"]["M"]["booking_id"]["S"] == (
        booking.booking_id
    )
    assert ledger["version"]["N"] == "1"
    indexed = dynamodb.scan(TableName=TABLE, IndexName=USER_INDEX_NAME)["Items"]
    assert [i["booking_id"]["S"] for i in indexed] == [booking.booking_id]
    assert ledger_service.list_bookings("alice") == [booking]


def test_a_caller_cannot_hold_two_courts_at_one_start_time(ledger_service, dynamodb):
    held = ledger_service.book("2026-11-25_CourtA_1500", "alice")

    with pytest.raises(AlreadyBookedThatTime) as refused:
        ledger_service.book("2026-11-25_CourtB_1500", "alice")

    assert refused.value.held == held
    assert held.booking_id in refused.value.message
    assert refused.value.to_dict()["booking"]["booking_id"] == held.booking_id
    assert refused.value.http_status == 409
    assert booking_items(dynamodb) == [("2026-11-25_CourtA_1500", "alice")]
    # Another day, another time, another person: all still fine
    ledger_service.book("2026-11-26_CourtB_1500", "alice")
    ledger_service.book("2026-11-25_CourtB_1600", "alice")
    ledger_service.book("2026-11-25_CourtB_1500", "bob")


def test_a_caller_holds_at_most_the_cap_and_a_cancel_frees_a_place(ledger_service, dynamodb):
    first = ledger_service.book("2026-11-25_CourtA_0900", "alice")
    ledger_service.book("2026-11-25_CourtA_1000", "alice")
    ledger_service.book("2026-11-25_CourtA_1100", "alice")

    with pytest.raises(TooManyBookings) as refused:
        ledger_service.book("2026-11-25_CourtA_1400", "alice")
    assert "3 upcoming bookings" in refused.value.message
    assert len(booking_items(dynamodb)) == 3

    ledger_service.cancel(first.booking_id, "alice")
    again = ledger_service.book("2026-11-25_CourtA_1400", "alice")
    assert again.slot_id == "2026-11-25_CourtA_1400"
    # The cancelled time is free for this caller again, too
    with pytest.raises(TooManyBookings):
        ledger_service.book("2026-11-25_CourtB_0900", "alice")


def test_a_lost_slot_race_releases_the_reservation(ledger_service, dynamodb):
    ledger_service.book("2026-11-25_CourtA_1500", "bob")

    with pytest.raises(SlotTaken):
        ledger_service.book("2026-11-25_CourtA_1500", "alice")

    assert ledger_service.store.ledger("alice").entries == {}
    booking = ledger_service.book("2026-11-25_CourtB_1500", "alice")
    assert booking.court == "Court B"


def test_started_slots_stop_counting_and_are_pruned_on_the_next_write(dynamodb, wall):
    clock = Clock(NOW)
    schedule = Schedule(clock=clock)
    service = BookingService(
        DynamoBookingStore(TABLE, dynamodb), schedule, max_active_bookings=1, wall_clock=wall
    )
    service.book("2026-11-24_CourtA_1100", "alice")  # today, starts in 30 minutes

    clock.now = NOW + dt.timedelta(hours=1)  # 11:30: that booking has started
    service.book("2026-11-25_CourtA_1100", "alice")

    assert list(service.store.ledger("alice").entries) == ["2026-11-25T11:00"]


def reserve_without_booking(service: BookingService, slot_id: str, at: dt.datetime, **extra):
    """What a crash between the ledger write and the slot's put leaves behind."""
    slot = service.schedule.slot(slot_id)
    booking = Booking(
        booking_id=f"{slot_id}.deadbeef", **slot.model_dump(exclude={"slot_id"}), slot_id=slot_id
    )
    ledger = service.store.ledger("alice")
    entries = ledger.entries | {f"{slot.date}T{slot.time}": Reservation(booking, at, **extra)}
    service.store.save_ledger("alice", entries, ledger.version)
    return booking


def test_a_reservation_left_by_a_crash_blocks_only_within_the_grace_period(
    ledger_service, dynamodb, wall
):
    orphan = reserve_without_booking(ledger_service, "2026-11-25_CourtA_1500", wall())

    # Its writer may still be running: the time stays held
    with pytest.raises(AlreadyBookedThatTime) as refused:
        ledger_service.book("2026-11-25_CourtB_1500", "alice")
    assert refused.value.held == orphan

    # Past the grace period (longer than any function timeout) it is dropped when it blocks
    wall.now += RESERVATION_GRACE + dt.timedelta(seconds=1)
    booking = ledger_service.book("2026-11-25_CourtB_1500", "alice")
    assert booking_items(dynamodb) == [("2026-11-25_CourtB_1500", "alice")]
    entries = ledger_service.store.ledger("alice").entries
    assert entries["2026-11-25T15:00"].booking == booking


def test_stale_reservations_give_their_place_under_the_cap_back(ledger_service, wall):
    for slot_id in ("2026-11-25_CourtA_0900", "2026-11-25_CourtA_1000"):
        reserve_without_booking(ledger_service, slot_id, wall())
    ledger_service.book("2026-11-25_CourtA_1100", "alice")
    with pytest.raises(TooManyBookings):
        ledger_service.book("2026-11-25_CourtA_1400", "alice")

    wall.now += RESERVATION_GRACE + dt.timedelta(seconds=1)
    ledger_service.book("2026-11-25_CourtA_1400", "alice")

    assert sorted(ledger_service.store.ledger("alice").entries) == [
        "2026-11-25T11:00",
        "2026-11-25T14:00",
    ]


def test_a_reservation_whose_slot_holds_its_booking_never_goes_stale(ledger_service, wall):
    held = ledger_service.book("2026-11-25_CourtA_1500", "alice")

    wall.now += dt.timedelta(days=1)

    with pytest.raises(AlreadyBookedThatTime):
        ledger_service.book("2026-11-25_CourtB_1500", "alice")
    assert ledger_service.list_bookings("alice") == [held]


def test_a_retry_with_the_same_token_returns_the_same_booking(ledger_service, dynamodb):
    first = ledger_service.book("2026-11-25_CourtA_1500", "alice", request_token="t-1")
    retry = ledger_service.book("2026-11-25_CourtA_1500", "alice", request_token="t-1")
    other = ledger_service.book("2026-11-25_CourtA_1600", "alice", request_token="t-2")

    assert retry == first
    assert other.booking_id != first.booking_id
    with pytest.raises(AlreadyBookedThatTime):
        ledger_service.book("2026-11-25_CourtB_1500", "alice", request_token="t-3")
    assert booking_items(dynamodb) == [
        ("2026-11-25_CourtA_1500", "alice"),
        ("2026-11-25_CourtA_1600", "alice"),
    ]


def test_a_retry_after_a_crash_between_the_writes_completes_the_booking(ledger_service, wall):
    # The first try reserved, then died before its put (booking id derived from the token)
    first = ledger_service.book("2026-11-25_CourtA_1500", "alice", request_token="t-1")
    ledger_service.store.client.delete_item(
        TableName=TABLE,
        Key={
            PARTITION_KEY: {"S": "DATE#2026-11-25"},
            SORT_KEY: {"S": "SLOT#2026-11-25_CourtA_1500"},
        },
    )

    retry = ledger_service.book("2026-11-25_CourtA_1500", "alice", request_token="t-1")

    assert retry == first
    assert ledger_service.list_bookings("alice") == [first]


def test_the_same_token_does_not_let_another_caller_reuse_a_booking(ledger_service, dynamodb):
    alice = ledger_service.book("2026-11-25_CourtA_1500", "alice", request_token="t-1")

    with pytest.raises(SlotTaken):
        ledger_service.book("2026-11-25_CourtA_1500", "bob", request_token="t-1")

    assert booking_items(dynamodb) == [(alice.slot_id, "alice")]


def test_version_conflicts_are_retried_a_bounded_number_of_times(dynamodb, schedule):
    class ContendedStore(DynamoBookingStore):
        """Every ledger write of ours loses to another request of the same caller."""

        saves = 0

        def save_ledger(self, user_id, entries, expected_version):
            self.saves += 1
            super().save_ledger(user_id, {}, expected_version)  # the other request wins
            super().save_ledger(user_id, entries, expected_version)

    store = ContendedStore(TABLE, dynamodb)
    service = BookingService(store, schedule)

    with pytest.raises(BookingBusy):
        service.book("2026-11-25_CourtA_1500", "alice")

    assert store.saves == LEDGER_ATTEMPTS
    assert booking_items(dynamodb) == []
