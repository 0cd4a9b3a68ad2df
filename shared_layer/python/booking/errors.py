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

    def __init_subclass__(cls, *, code: str, http_status: int | None = None, **kwargs) -> None:
        """Each refusal names its code (and status): `class X(BookingError, code="x")`."""
        super().__init_subclass__(**kwargs)
        cls.code = code
        cls.http_status = http_status or cls.http_status

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def details(self) -> dict:
        """What a refusal carries besides its code and message (alternatives, a booking)."""
        return {}

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message} | self.details()


class InvalidRequest(BookingError, code="invalid_request", http_status=422):
    """A date, time or id that cannot be parsed."""


class SlotNotFound(BookingError, code="slot_not_found", http_status=404):
    """A well-formed slot that is not on the schedule (unknown court or start time). May carry
    free alternatives (the slots nearest to the time asked for)."""

    def __init__(self, message: str, alternatives: list[Slot] | None = None) -> None:
        super().__init__(message)
        self.alternatives = alternatives or []

    def details(self) -> dict:
        if not self.alternatives:
            return {}
        return {"alternatives": [slot.model_dump() for slot in self.alternatives]}


class UnknownCourt(SlotNotFound, code="unknown_court"):
    """A court name that is not one of the club's: refused by name, never swapped for another."""

    def __init__(self, name: str, courts: tuple[str, ...]) -> None:
        super().__init__(
            f"There is no {name!s} here; the courts are {', '.join(courts)}. Nothing was booked."
        )
        self.courts = courts

    def details(self) -> dict:
        return super().details() | {"courts": list(self.courts)}


class OutsideBookingWindow(BookingError, code="outside_booking_window"):
    """A day before today or beyond the booking window."""


class SlotInPast(BookingError, code="slot_in_past"):
    """A slot that has already started."""


class _OffersAlternatives:
    """A refusal that carries the free slots nearest to what was asked, for the caller to offer."""

    def __init__(self, message: str, alternatives: list[Slot]) -> None:
        super().__init__(message)
        self.alternatives = alternatives

    def details(self) -> dict:
        return {"alternatives": [slot.model_dump() for slot in self.alternatives]}


class SlotTaken(_OffersAlternatives, BookingError, code="slot_taken", http_status=409):
    """Someone booked the slot first."""


class NoFreeSlot(_OffersAlternatives, BookingError, code="no_free_slot", http_status=409):
    """Nothing free matches what was asked (a day, time, court, part of day, position)."""


class BookingNotFound(BookingError, code="booking_not_found", http_status=404):
    """No booking with that id."""


class NotYourBooking(BookingError, code="not_your_booking", http_status=403):
    """The booking belongs to someone else."""


class AlreadyBookedThatTime(BookingError, code="already_booked_that_time", http_status=409):
    """The caller already holds a court at this start time (one person cannot play two courts
    at once). Carries the booking they hold, and names it, so a reply or a model can say which
    one it is instead of booking another court."""

    def __init__(self, held: Booking) -> None:
        super().__init__(
            f"You already have {held.court} on {held.date} at {held.time} "
            f"(booking id {held.booking_id}); one person can hold one court per start time, "
            "so nothing new was booked."
        )
        self.held = held

    def details(self) -> dict:
        return {"booking": self.held.public()}


class TooManyBookings(BookingError, code="too_many_bookings", http_status=409):
    """The caller already holds the most upcoming bookings one person may hold."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"You already have {limit} upcoming bookings, the most one person may hold; "
            "cancel one before booking another. Nothing new was booked."
        )
        self.limit = limit

    def details(self) -> dict:
        return {"limit": self.limit}


class BookingBusy(BookingError, code="booking_busy", http_status=409):
    """The caller's own bookings kept changing underneath this one (many of their requests at
    once), or the table kept leaving a read unprocessed, and the bounded retries ran out.
    Nothing was booked; trying again is safe."""
