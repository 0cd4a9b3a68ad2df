"""Pattern A — AI as a service.

The model is a parser, nothing more: one structured-output call turns the message into a
`BookingRequest`; from there *your code* decides everything — which operation runs, which slot
is chosen, what the reply says. Exactly one LLM call per request, whatever the outcome.

Its neighbour, pattern B, runs the same steps as an explicit workflow and lets the model write
the reply too (two calls); here the reply is a template, so nothing the user reads is generated.
"""

from __future__ import annotations

from collections.abc import Callable

from booking.errors import AlreadyBookedThatTime, BookingError, SlotTaken
from booking.models import Slot
from booking.service import BookingService
from booking.slot_choice import choose_slot
from booking.wording import (
    already_booked_reply,
    describe_booking,
    describe_slots,
    format_day,
    other_court_note,
    sentences,
)
from pattern_core.contract.turn import ChatOutcome, ChatTurn
from pattern_core.model.understanding import BookingRequest
from pattern_core.workflow.fulfilment import (
    find_slots,
    find_slots_to_book,
    refuse_position,
    requested_day,
    requested_time,
    slot_query,
)

Understand = Callable[[str], BookingRequest]

HELP = (
    "I can check free tennis courts, book one, move, list or cancel your bookings — "
    "try 'Book tomorrow at 3pm' or 'What's free on Friday afternoon?'."
)


def handle_turn(turn: ChatTurn, service: BookingService, understand: Understand) -> ChatOutcome:
    request = understand(turn.message)  # the only model call
    try:
        if request.intent == "book":
            return _book(service, request, turn.user_id)
        if request.intent == "check_availability":
            return _check(service, request)
        if request.intent == "list_bookings":
            return _list(service, turn.user_id)
        if request.intent == "cancel":
            return _cancel(service, request, turn.user_id)
        if request.intent == "move":
            return _move(service, request, turn.user_id)
    except BookingError as refusal:
        # The booking rules said no (past slot, outside the window, …): tell the person why,
        # with the free slots the refusal carries.
        return ChatOutcome(_refusal_reply(refusal))
    return ChatOutcome(HELP)


def _refusal_reply(refusal: BookingError) -> str:
    alternatives = getattr(refusal, "alternatives", None)
    if not alternatives:
        return refusal.message
    return f"{refusal.message} Nearest free times: {describe_slots(alternatives)}."


def _book(service: BookingService, request: BookingRequest, user_id: str) -> ChatOutcome:
    # At a named time, the slots and the caller's ledger come in one read (three DynamoDB
    # calls for the booking in all).
    free, ledger = find_slots_to_book(service, request, user_id)
    # Another request may win the race for a slot between the query and the put: move on to
    # the next slot that fits instead of failing. Not when the caller already holds a court at
    # that time: another court would put them on two at once.
    while (slot := choose_slot(free, request, service.schedule)) is not None:
        try:
            booking = service.book(slot.slot_id, user_id, ledger=ledger)
        except SlotTaken:
            free = [s for s in free if s.slot_id != slot.slot_id]
            ledger = None  # the failed try wrote the ledger and gave the time back: read again
            continue
        except AlreadyBookedThatTime as already:
            return ChatOutcome(already_booked_reply(already))
        taken = other_court_note(request.court, booking, service.schedule)
        return ChatOutcome(sentences(f"Booked {describe_booking(booking)}.", taken), [booking])
    if free and request.slot_preference:
        # Fewer free slots fit than the position asked for: the booking rules say so (the
        # same refusal every pattern gives), never "fully booked" while slots are free.
        refuse_position(service, request)
    if request.time is not None:
        return ChatOutcome(_full_reply(service, request))
    day = format_day(requested_day(request, service.schedule))
    within = f" in the {request.part_of_day}" if request.part_of_day else ""
    if not free:
        return ChatOutcome(f"Nothing is free on {day}{within}. Try another day.")
    return ChatOutcome(f"Which time on {day}? Free: {describe_slots(free)}.")


def _full_reply(service: BookingService, request: BookingRequest) -> str:
    day = requested_day(request, service.schedule)
    start = requested_time(request)
    probe = Slot.of(day, service.schedule.courts[0], start)
    nearest = service.nearest_free(probe)
    offer = f" Nearest free times: {describe_slots(nearest)}." if nearest else ""
    return f"{request.time} on {format_day(day)} is fully booked.{offer}"


def _check(service: BookingService, request: BookingRequest) -> ChatOutcome:
    day = format_day(requested_day(request, service.schedule))
    free = find_slots(service, request)
    if not free:
        return ChatOutcome(f"Nothing matching is free on {day}.")
    return ChatOutcome(f"Free on {day}: {describe_slots(free)}.")


def _list(service: BookingService, user_id: str) -> ChatOutcome:
    bookings = service.list_bookings(user_id)
    if not bookings:
        return ChatOutcome("You have no bookings.")
    return ChatOutcome("Your bookings: " + "; ".join(describe_booking(b) for b in bookings) + ".")


def _cancel(service: BookingService, request: BookingRequest, user_id: str) -> ChatOutcome:
    booking_id = request.booking_id or _booking_meant(
        service, user_id, "cancel", date=request.date, time=request.time
    )
    if isinstance(booking_id, ChatOutcome):
        return booking_id
    cancelled = service.cancel(booking_id, user_id)
    return ChatOutcome(f"Cancelled {describe_booking(cancelled)}.", cancellations=[cancelled])


def _move(service: BookingService, request: BookingRequest, user_id: str) -> ChatOutcome:
    """Move one of the caller's bookings to the slot the request describes: the new slot is
    booked first, then the old one cancelled, and a refusal leaves the old one as it was —
    never a second booking beside it. The request's day and time describe the new slot, so
    without a booking id the booking to move is the caller's only one."""
    booking_id = request.booking_id or _booking_meant(service, user_id, "move")
    if isinstance(booking_id, ChatOutcome):
        return booking_id
    moved = service.move(booking_id, slot_query(request), user_id)
    new, old = moved.booking, moved.cancelled
    if old is None:  # cancelled meanwhile by another request of the caller
        return ChatOutcome(
            f"Booked {describe_booking(new)}; your earlier booking {booking_id} was already "
            "cancelled.",
            [new],
        )
    return ChatOutcome(
        f"Moved: {describe_booking(new)}; your booking of {describe_booking(old)} is cancelled.",
        [new],
        cancellations=[old],
    )


def _booking_meant(
    service: BookingService,
    user_id: str,
    verb: str,
    *,
    date: str | None = None,
    time: str | None = None,
) -> str | ChatOutcome:
    """The id of the caller's booking a request names by no id: their only one on the day (and
    at the time) stated, or their only one at all; else the reply that asks which, listing
    them by id (A keeps no conversation, so the store is what it knows)."""
    bookings = service.list_bookings(user_id)
    if not bookings:
        return ChatOutcome(f"You have no booking to {verb}.")
    matches = [
        b for b in bookings if (date is None or b.date == date) and (time is None or b.time == time)
    ]
    if len(matches) == 1:
        return matches[0].booking_id
    listed = "; ".join(describe_booking(b) for b in matches or bookings)
    if not matches:
        return ChatOutcome(f"No booking of yours matches that; yours: {listed}.")
    return ChatOutcome(f"Which booking should I {verb}? Give its booking id: {listed}.")
