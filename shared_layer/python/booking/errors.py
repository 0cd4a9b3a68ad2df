"""Typed domain errors. Each carries a stable `code` and a message written for the person
booking (and for a model deciding what to do next), never internal details."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from booking.models import Slot


class BookingError(Exception):
    """Base class: a request the booking rules refuse. Maps to a 4xx, never a 5xx."""

    code = "booking_error"
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


class InvalidRequest(BookingError):
    """A date, time or id that cannot be parsed."""

    code = "invalid_request"
    http_status = 422


class SlotNotFound(BookingError):
    """A well-formed slot that is not on the schedule (unknown court or start time)."""

    code = "slot_not_found"
    http_status = 404


class OutsideBookingWindow(BookingError):
    code = "outside_booking_window"


class SlotInPast(BookingError):
    code = "slot_in_past"


class SlotTaken(BookingError):
    """Someone booked the slot first. Carries free alternatives so the caller can offer them."""

    code = "slot_taken"
    http_status = 409

    def __init__(self, message: str, alternatives: list[Slot]) -> None:
        super().__init__(message)
        self.alternatives = alternatives

    def to_dict(self) -> dict:
        return super().to_dict() | {
            "alternatives": [slot.model_dump() for slot in self.alternatives]
        }


class BookingNotFound(BookingError):
    code = "booking_not_found"
    http_status = 404


class NotYourBooking(BookingError):
    code = "not_your_booking"
    http_status = 403
