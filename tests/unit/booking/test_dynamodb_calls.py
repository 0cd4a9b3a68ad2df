"""How many DynamoDB calls one booking makes, counted as botocore sends them (its `before-call`
event, once per API call): a day and a time book in three — one BatchGetItem for that time's
slots and the caller's ledger, the reservation, the put — and the rules still hold when that
read goes stale or DynamoDB leaves part of it unprocessed."""

import pytest

from booking.errors import AlreadyBookedThatTime, BookingBusy, NoFreeSlot, TooManyBookings
from booking.service import BookingService, SlotQuery
from booking.store import BATCH_GET_ROUNDS, DynamoBookingStore
from tests.conftest import TABLE

DAY = "2026-11-25"  # tomorrow in the fixtures' clock
BOOK_AT_A_TIME = ["BatchGetItem", "UpdateItem", "PutItem"]


def slot(court: str, time: str) -> str:
    return f"{DAY}_{court.replace(' ', '')}_{time.replace(':', '')}"


def test_a_day_and_time_book_in_three_calls_on_the_first_free_court(service, store, db_calls):
    service.book(slot("Court A", "15:00"), "bob")
    db_calls.clear()

    booking = service.book_slot(SlotQuery(date=DAY, time="15:00"), "alice")

    assert db_calls == BOOK_AT_A_TIME
    assert booking.slot_id == slot("Court B", "15:00")
    assert store.get(booking.slot_id) == (booking, "alice")
    assert list(store.ledger("alice").entries) == [f"{DAY}T15:00"]


def test_a_named_court_books_in_three_calls_too(service, db_calls):
    booking = service.book_slot(SlotQuery(date=DAY, time="15:00", court="Court C"), "alice")

    assert db_calls == BOOK_AT_A_TIME
    assert booking.slot_id == slot("Court C", "15:00")


def test_the_ledger_read_with_the_slots_keeps_the_callers_other_reservations(
    service, store, db_calls
):
    service.book(slot("Court A", "14:00"), "alice")
    db_calls.clear()

    service.book_slot(SlotQuery(date=DAY, time="15:00"), "alice")

    assert db_calls == BOOK_AT_A_TIME
    assert sorted(store.ledger("alice").entries) == [f"{DAY}T14:00", f"{DAY}T15:00"]
    assert [b.time for b in store.bookings_of("alice")] == ["14:00", "15:00"]


def test_the_rules_are_checked_on_that_read_and_refuse_without_a_write(store, schedule, db_calls):
    service = BookingService(store, schedule, max_active_bookings=2)
    held = service.book(slot("Court A", "15:00"), "alice")
    service.book(slot("Court A", "16:00"), "alice")
    db_calls.clear()

    with pytest.raises(AlreadyBookedThatTime) as already:
        service.book_slot(SlotQuery(date=DAY, time="15:00"), "alice")
    with pytest.raises(TooManyBookings):
        service.book_slot(SlotQuery(date=DAY, time="17:00"), "alice")

    assert already.value.held == held
    assert db_calls == ["BatchGetItem", "BatchGetItem"]


def test_only_a_time_with_nothing_free_reads_the_day_for_alternatives(service, db_calls):
    for n, court in enumerate(service.schedule.courts):
        service.book(slot(court, "15:00"), f"player-{n}")
    db_calls.clear()

    with pytest.raises(NoFreeSlot) as full:
        service.book_slot(SlotQuery(date=DAY, time="15:00"), "alice")

    assert db_calls == ["BatchGetItem", "Query"]
    assert {s.time for s in full.value.alternatives} == {"14:00", "16:00", "17:00"}


def test_a_slot_id_books_in_three_calls_and_a_part_of_the_day_in_four(service, db_calls):
    service.book_slot(SlotQuery(slot_id=slot("Court B", "11:00")), "alice")
    by_id = list(db_calls)
    db_calls.clear()

    service.book_slot(SlotQuery(date=DAY, part_of_day="afternoon"), "alice")

    assert by_id == ["GetItem", "UpdateItem", "PutItem"]
    assert db_calls == ["Query", "GetItem", *BOOK_AT_A_TIME[1:]]


def test_moving_to_another_court_reads_the_slots_and_the_ledger_in_one_call(service, db_calls):
    held = service.book(slot("Court A", "15:00"), "alice")
    db_calls.clear()

    moved = service.move(held.booking_id, SlotQuery(court="Court B"), "alice")

    assert moved.booking.slot_id == slot("Court B", "15:00") and moved.cancelled == held
    assert db_calls == ["GetItem", *BOOK_AT_A_TIME, "DeleteItem"]


class Interleaved(DynamoBookingStore):
    """A store in which another request of the caller books `other` right after this one has
    read the slots and the ledger: that read is stale by the time the reservation is written."""

    def __init__(self, client, other: BookingService, slot_id: str) -> None:
        super().__init__(TABLE, client)
        self.other, self.slot_id = other, slot_id

    def booked_and_ledger(self, slot_ids, user_id):
        read = super().booked_and_ledger(slot_ids, user_id)
        if self.slot_id:
            self.other.book(self.slot_id, user_id)
            self.slot_id = None
        return read


def test_a_ledger_that_changed_after_the_read_is_read_again(service, store, schedule, db_calls):
    racing = Interleaved(store.client, service, slot("Court A", "16:00"))
    booking = BookingService(racing, schedule).book_slot(SlotQuery(date=DAY, time="15:00"), "alice")

    other_request = ["GetItem", "UpdateItem", "PutItem"]
    lost_write_then_the_ledger_alone = ["UpdateItem", "GetItem", "UpdateItem", "PutItem"]
    assert db_calls == [
        "BatchGetItem",
        *other_request,
        *lost_write_then_the_ledger_alone,
    ]
    assert booking.slot_id == slot("Court A", "15:00")
    assert sorted(store.ledger("alice").entries) == [f"{DAY}T15:00", f"{DAY}T16:00"]


def test_the_cap_holds_against_a_stale_read(service, store, schedule):
    racing = Interleaved(store.client, service, slot("Court A", "16:00"))
    capped = BookingService(racing, schedule, max_active_bookings=2)
    service.book(slot("Court A", "14:00"), "alice")

    with pytest.raises(TooManyBookings):
        capped.book_slot(SlotQuery(date=DAY, time="15:00"), "alice")

    assert [b.time for b in store.bookings_of("alice")] == ["14:00", "16:00"]
    assert sorted(store.ledger("alice").entries) == [f"{DAY}T14:00", f"{DAY}T16:00"]


class Unprocessing:
    """A DynamoDB client whose BatchGetItem serves only the first `served` keys of its first
    `times` requests and returns the rest as UnprocessedKeys (as DynamoDB does when
    throttled)."""

    def __init__(self, client, times: int = 1, served: int = 1) -> None:
        self._client, self.times, self.served = client, times, served
        self.requests: list[dict] = []

    def __getattr__(self, name: str):
        return getattr(self._client, name)

    def batch_get_item(self, RequestItems: dict) -> dict:  # noqa: N803 (botocore's name)
        self.requests.append(RequestItems)
        if len(self.requests) > self.times:
            return self._client.batch_get_item(RequestItems=RequestItems)
        ((table, read),) = RequestItems.items()
        served, left = read["Keys"][: self.served], read["Keys"][self.served :]
        response = {"Responses": {table: []}}
        if served:
            response = self._client.batch_get_item(RequestItems={table: read | {"Keys": served}})
        return response | {"UnprocessedKeys": {table: read | {"Keys": left}}}


def test_unprocessed_keys_are_asked_for_again(service, dynamodb, schedule, monkeypatch):
    monkeypatch.setattr("booking.store.time.sleep", lambda _seconds: None)
    service.book(slot("Court A", "15:00"), "bob")  # the first key: served on the first request
    service.book(slot("Court B", "14:00"), "alice")  # in the ledger: served on the second
    client = Unprocessing(dynamodb)
    store = DynamoBookingStore(TABLE, client)

    booking = BookingService(store, schedule).book_slot(SlotQuery(date=DAY, time="15:00"), "alice")

    assert booking.slot_id == slot("Court B", "15:00")
    first, second = client.requests
    assert second[TABLE]["Keys"] == first[TABLE]["Keys"][1:]
    assert second[TABLE]["ConsistentRead"] is True
    assert sorted(store.ledger("alice").entries) == [f"{DAY}T14:00", f"{DAY}T15:00"]


def test_keys_left_unprocessed_every_time_refuse_and_book_nothing(dynamodb, schedule, monkeypatch):
    monkeypatch.setattr("booking.store.time.sleep", lambda _seconds: None)
    client = Unprocessing(dynamodb, times=BATCH_GET_ROUNDS, served=0)
    store = DynamoBookingStore(TABLE, client)

    with pytest.raises(BookingBusy):
        BookingService(store, schedule).book_slot(SlotQuery(date=DAY, time="15:00"), "alice")

    assert len(client.requests) == BATCH_GET_ROUNDS
    assert store.bookings_of("alice") == [] and store.ledger("alice").entries == {}
