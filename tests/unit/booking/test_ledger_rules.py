"""The caller's ledger through the service and the tool contract (on the in-memory store,
which keeps the same conditional ledger writes as the table; the table itself is tested under
moto and, for concurrency, against the local DynamoDB server)."""

from booking.effects import TurnEffects
from booking.errors import AlreadyBookedThatTime, TooManyBookings
from booking.service import BookingService, request_digest
from booking.tools import invoke_tool
from tests.utils import owners


def test_a_model_asking_to_book_a_time_already_held_is_told_which_booking_it_is(service, store):
    held = service.book("2026-11-25_CourtA_1500", "alice")

    result = invoke_tool(
        "book_slot",
        service,
        "alice",
        {"slot_id": "2026-11-25_CourtB_1500"},
        effects=TurnEffects(),
    )

    error = result["error"]
    assert error["code"] == AlreadyBookedThatTime.code
    assert held.booking_id in error["message"] and "Court A" in error["message"]
    assert error["booking"] == held.public()
    assert owners(store).get("2026-11-25_CourtB_1500") is None


def test_a_model_asking_past_the_cap_is_refused_with_the_limit(store, schedule):
    service = BookingService(store, schedule, max_active_bookings=1)
    service.book("2026-11-25_CourtA_0900", "alice")

    result = invoke_tool(
        "book_slot", service, "alice", {"slot_id": "2026-11-25_CourtA_1000"}, effects=TurnEffects()
    )

    assert result["error"]["code"] == TooManyBookings.code
    assert result["error"]["limit"] == 1
    assert list(owners(store)) == ["2026-11-25_CourtA_0900"]


def test_the_cap_counts_upcoming_bookings_per_caller_not_across_callers(store, schedule):
    service = BookingService(store, schedule, max_active_bookings=1)

    service.book("2026-11-25_CourtA_0900", "alice")
    service.book("2026-11-25_CourtB_0900", "bob")

    assert len(owners(store)) == 2


def test_the_cap_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("BOOKINGS_TABLE_NAME", "bookings")
    monkeypatch.setenv("MAX_ACTIVE_BOOKINGS", "7")

    assert BookingService.from_env().max_active_bookings == 7


def test_a_token_names_the_booking_it_makes_per_caller(service):
    booking = service.book("2026-11-25_CourtA_1500", "alice", request_token="t-1")

    assert booking.booking_id == f"2026-11-25_CourtA_1500.{request_digest('alice', 't-1')}"
    assert request_digest("alice", "t-1") != request_digest("bob", "t-1")
