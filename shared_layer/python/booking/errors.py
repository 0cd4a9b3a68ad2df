"""Typed domain errors. Each carries a stable `code` and a message written for the person
booking (and for a model deciding what to do next), never internal details."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from booking.models import Booking, Slot


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
    """A well-formed slot that is not on the schedule (unknown court or start time). May carry
    free alternatives (the slots nearest to the time asked for)."""

    code = "slot_not_found"
    http_status = 404

    def __init__(self, message: str, alternatives: list[Slot] | None = None) -> None:
        super().__init__(message)
        self.alternatives = alternatives or []

    def to_dict(self) -> dict:
        found = super().to_dict()
        if self.alternatives:
            found["alternatives"] = [slot.model_dump() for slot in self.alternatives]
        return found


class UnknownCourt(SlotNotFound):
    """A court name that is not one of the club's: refused by name, never swapped for another."""

    code = "unknown_court"

    def __init__(self, name: str, courts: tuple[str, ...]) -> None:
        super().__init__(
            f"There is no {name!s} here; the courts are {', '.join(courts)}. Nothing was booked."
        )
        self.courts = courts

    def to_dict(self) -> dict:
        return super().to_dict() | {"courts": list(self.courts)}


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


class NoFreeSlot(BookingError):
    """Nothing free matches what was asked (a day, time, court, part of day, position).
    Carries free alternatives so the caller can offer them."""

    code = "no_free_slot"
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


class AlreadyBookedThatTime(BookingError):
    """The caller already holds a court at this start time (one person cannot play two courts
    at once). Carries the booking they hold, and names it, so a reply or a model can say which
    one it is instead of booking another court."""

    code = "already_booked_that_time"
    http_status = 409

    def __init__(self, held: Booking) -> None:
        super().__init__(
            f"You already have {held.court} on {held.date} at {held.time} "
            f"(booking id {held.booking_id}); one person can hold one court per start time, "
            "so nothing new was booked."
        )
        self.held = held

    def to_dict(self) -> dict:
        return super().to_dict() | {"booking": self.held.public()}


class TooManyBookings(BookingError):
    """The caller already holds the most upcoming bookings one person may hold."""

    code = "too_many_bookings"
    http_status = 409

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"You already have {limit} upcoming bookings, the most one person may hold; "
            "cancel one before booking another. Nothing new was booked."
        )
        self.limit = limit

    def to_dict(self) -> dict:
        return super().to_dict() | {"limit": self.limit}


class BookingBusy(BookingError):
    """The caller's own bookings kept changing underneath this one (many of their requests at
    once) and the bounded retries ran out. Nothing was booked; trying again is safe."""

    code = "booking_busy"
    http_status = 409
