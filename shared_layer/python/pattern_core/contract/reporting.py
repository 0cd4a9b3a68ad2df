"""What a turn did, in words: the reply never reports less than was done.

A model's reply is its own account of the turn; the store's record (`TurnEffects`, or what a
pattern confirmed) is the fact. `reported_reply` is applied once, by the HTTP layer, to every
pattern's reply: any booking or cancellation the reply does not name by id gets a plain sentence
appended. `stopped_reply` is the reply written by code when a turn ends before the model had its
say (the write budget, a loop limit, a model error): it names everything done and why it stopped.

Patterns B and C additionally refuse a reply that claims a booking that was not made
(`pattern_core.workflow.steps.checked_reply`); that check needs their workflow state, so it
stays there.
"""

from __future__ import annotations

from collections.abc import Sequence

from booking.models import Booking
from booking.wording import describe_booking


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def done_sentence(bookings: Sequence[Booking], cancellations: Sequence[Booking]) -> str:
    """'Booked X and Y. Cancelled Z.' — everything done, in order ('' if nothing)."""
    sentences = []
    if bookings:
        sentences.append(f"Booked {_and([describe_booking(b) for b in bookings])}.")
    if cancellations:
        sentences.append(f"Cancelled {_and([describe_booking(b) for b in cancellations])}.")
    return " ".join(sentences)


def reported_reply(
    reply: str, bookings: Sequence[Booking], cancellations: Sequence[Booking]
) -> str:
    """The reply, plus a sentence for each booking or cancellation it does not name by id."""
    unsaid_bookings = [b for b in bookings if b.booking_id not in reply]
    unsaid_cancellations = [b for b in cancellations if b.booking_id not in reply]
    addition = done_sentence(unsaid_bookings, unsaid_cancellations)
    if not addition:
        return reply
    return f"{reply.rstrip()} {addition}".strip()


def stopped_reply(
    bookings: Sequence[Booking], cancellations: Sequence[Booking], reason: str
) -> str:
    """'Booked X and Y. I stopped there: one request may book at most 2 courts.'"""
    done = done_sentence(bookings, cancellations) or "Nothing was booked or cancelled."
    return f"{done} I stopped there: {reason}."
