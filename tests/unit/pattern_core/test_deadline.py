"""One deadline per request: how much time each downstream call gets, when a retry is allowed,
and which 504 a timeout becomes."""

from __future__ import annotations

import httpx2
import openai
import pytest
from botocore.exceptions import ReadTimeoutError

from booking.models import Booking
from local.events import LocalLambdaContext
from pattern_core.contract.http import build_chat_app
from pattern_core.contract.turn import ChatOutcome, ChatTurn
from pattern_core.deadline import Deadline, DeadlineExceeded
from pattern_core.model.client import call_options, deadline_of_call
from tests.utils import chat_event, lambda_context, response_json


class Clock:
    """A hand-moved monotonic clock."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def deadline_in(seconds: float) -> tuple[Deadline, Clock]:
    clock = Clock()
    return Deadline(seconds, clock), clock


def model_timed_out() -> openai.APITimeoutError:
    return openai.APITimeoutError(request=httpx2.Request("POST", "https://model.invalid/v1"))


def test_the_deadline_is_the_lambda_contexts_time_left_minus_the_margin_to_answer():
    context = LocalLambdaContext(function_name="pattern-a-chat", timeout_seconds=10.0)

    left = Deadline.from_lambda_context(context).left()

    assert 8.0 < left <= 8.5  # 10 s, less 1.5 s kept back to write the answer


@pytest.mark.parametrize(
    ("seconds_left", "expected"),
    [
        (100.0, {"timeout": 20.0, "max_retries": 1}),  # a second 20 s attempt fits
        (25.0, {"timeout": 20.0, "max_retries": 0}),  # one attempt fits, a retry does not
        (3.0, {"timeout": 3.0, "max_retries": 0}),  # the time left caps the call
    ],
)
def test_a_model_call_gets_its_cap_or_the_time_left_and_retries_only_if_that_fits(
    seconds_left, expected, monkeypatch
):
    monkeypatch.setenv("OPENAI_TIMEOUT_SECONDS", "20")
    monkeypatch.setenv("OPENAI_MAX_RETRIES", "1")
    deadline, _ = deadline_in(seconds_left)

    assert call_options(deadline) == expected


def test_no_call_is_started_with_almost_no_time_left():
    deadline, _ = deadline_in(0.2)

    with pytest.raises(DeadlineExceeded):
        call_options(deadline)


def test_an_aws_client_timeout_is_the_time_left_rounded_down_to_half_a_second():
    deadline, _ = deadline_in(7.9)

    assert deadline.client_timeout(20) == 7.5
    assert deadline.client_timeout(5) == 5


def test_a_callee_takes_the_sooner_of_its_own_time_and_the_time_its_caller_will_wait():
    own, clock = deadline_in(15.0)

    assert own.sooner(4.0).expires_at == 4.0
    assert own.sooner(60.0) is own
    assert own.sooner(None) is own
    clock.now = 3.0
    assert own.sooner(4.0).left() == 4.0


def test_a_model_timeout_when_the_time_is_up_is_the_requests_deadline():
    deadline, clock = deadline_in(5.0)

    with pytest.raises(DeadlineExceeded), deadline_of_call(deadline):
        clock.now = 5.0
        raise model_timed_out()


def test_a_model_timeout_with_time_left_stays_a_model_timeout():
    deadline, _ = deadline_in(25.0)

    with pytest.raises(openai.APITimeoutError), deadline_of_call(deadline):
        raise model_timed_out()


def test_an_aws_read_timeout_is_the_deadline_only_once_the_time_is_up():
    deadline, clock = deadline_in(10.0)
    timed_out = ReadTimeoutError(endpoint_url="https://lambda.us-east-1.amazonaws.com")

    with pytest.raises(ReadTimeoutError), deadline.bounding("a specialist"):
        raise timed_out
    clock.now = 9.8
    with pytest.raises(DeadlineExceeded), deadline.bounding("a specialist"):
        raise timed_out


def test_a_model_timeout_after_a_booking_is_a_504_that_names_the_booking():
    booking = Booking(
        booking_id="2026-11-25_CourtA_1500.0123abcd",
        slot_id="2026-11-25_CourtA_1500",
        court="Court A",
        date="2026-11-25",
        time="15:00",
    )

    def books_then_times_out(turn: ChatTurn) -> ChatOutcome:
        turn.effects.booked(booking)  # what the booking tool records as it books
        raise model_timed_out()  # the next model call hit its own cap

    app = build_chat_app("D", books_then_times_out)
    response = app.resolve(chat_event({"message": "Book tomorrow at 3pm"}), lambda_context())
    body = response_json(response)

    assert response["statusCode"] == 504
    assert body["error"]["code"] == "deadline_exceeded"
    assert booking.booking_id in body["error"]["message"]
    assert body["error"]["bookings"] == [booking.public()]


def test_a_model_timeout_with_nothing_done_stays_model_timeout():
    def times_out(turn: ChatTurn) -> ChatOutcome:
        raise model_timed_out()

    app = build_chat_app("A", times_out)
    response = app.resolve(chat_event({"message": "Book tomorrow at 3pm"}), lambda_context())

    assert response["statusCode"] == 504
    assert response_json(response)["error"]["code"] == "model_timeout"
