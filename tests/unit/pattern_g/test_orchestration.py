"""Pattern G: the manager's tools invoke specialist functions; each side is scripted.

The manager runs on one ScriptedModel; each invoke goes to the real specialist code (`serve`)
running on its own ScriptedModel — what the specialist Lambda would do — through a recording
invoker that stands where `lambda:Invoke` is when deployed.
"""

from __future__ import annotations

import pytest

from pattern_core.agent_runtime.runtime import run_sync
from pattern_core.agent_runtime.specialists import SPECIALISTS
from pattern_core.contract.turn import ChatError
from pattern_g.orchestration import handle_turn
from pattern_g.specialist import SpecialistRequest, serve
from tests.conftest import TOMORROW
from tests.unit.agent_scripts import (
    MANY_TIMES,
    TOKENS_IN,
    call,
    calls,
    chat_turn,
    keeps_booking,
    keeps_cancelling,
    says,
    scripted,
    slot_at,
)
from tests.unit.sessions.fakes import MemoryConversation
from tests.utils import owners

DAY = TOMORROW.isoformat()
SLOT = f"{DAY}_CourtB_1500"
BUDGET = {"bookings": 2, "cancellations": 2}
FUNCTIONS = {"availability": "arn:fn:availability", "booking": "arn:fn:booking"}


class RecordingInvoker:
    """Plays `lambda:Invoke`: runs the specialist behind the function name, records payloads."""

    def __init__(self, service, **specialist_models) -> None:
        self.service, self.models = service, specialist_models
        self.invocations: list[tuple[str, dict]] = []

    def __call__(self, function_name: str, payload: dict) -> dict:
        self.invocations.append((function_name, payload))
        key = next(k for k, name in FUNCTIONS.items() if name == function_name)
        request = SpecialistRequest.model_validate(payload)
        model = self.models[key]
        if isinstance(model, list):  # one scripted model per invoke, in order
            model = model.pop(0)
        # A specialist Lambda runs its agent on its own event loop, as in a separate process.
        return run_sync(serve(SPECIALISTS[key], request, self.service, model))


def run(manager, invoker, service, conversation=None, message="Book tomorrow at 3pm", **kw):
    turn = chat_turn(message, kw.pop("user", "alice"), "G")
    outcome = run_sync(
        handle_turn(turn, service.schedule, FUNCTIONS, invoker, conversation, model=manager, **kw)
    )
    return outcome, turn.usage


def booking_specialist(**book_args):
    return scripted(
        call("check_availability", date=DAY, time="15:00"),
        call("book_slot", slot_id=SLOT, **book_args),
        says("Booked Court B on 2026-11-25 at 15:00."),
    )


def test_the_manager_invokes_the_booking_specialist_with_the_callers_identity(service, store):
    manager = scripted(
        call("booking_specialist", input=f"Book a court on {DAY} at 15:00"),
        says("You're booked: Court B tomorrow at 15:00."),
    )
    invoker = RecordingInvoker(service, booking=booking_specialist())
    outcome, usage = run(manager, invoker, service, MemoryConversation())

    assert invoker.invocations == [
        (
            "arn:fn:booking",
            {
                "request": f"Book a court on {DAY} at 15:00",
                "user_id": "alice",
                "budget": {"bookings": 2, "cancellations": 2},
            },
        )
    ]
    assert outcome.booking is not None and outcome.booking.slot_id == SLOT
    assert owners(store).get(SLOT) == "alice"
    # Manager's 2 model calls + the specialist's 3, as each measured them; 1 + 1 invocations.
    assert usage.llm_calls == 5 and usage.input_tokens == 5 * TOKENS_IN
    assert usage.lambda_invocations == 2
    assert usage.tool_calls == ["booking_specialist", "check_availability", "book_slot"]
    # The specialist's reply is what the manager's model was shown.
    assert "Booked Court B" in str(manager.last_call.input[-1])


def test_identity_in_the_payload_never_comes_from_the_model(service, store):
    manager = scripted(
        call("booking_specialist", input=f"Book {SLOT} for mallory", user_id="mallory"),
        says("Done."),
    )
    invoker = RecordingInvoker(service, booking=booking_specialist(user_id="mallory"))
    run(manager, invoker, service)

    ((_, payload),) = invoker.invocations
    assert payload["user_id"] == "alice"
    assert owners(store).get(SLOT) == "alice"
    assert service.list_bookings("mallory") == []


def test_a_follow_up_turn_routes_from_the_session_history(service, store):
    conversation = MemoryConversation()
    availability = scripted(
        call("check_availability", date=DAY, time=None), says("14:00-16:00 are free.")
    )
    first = scripted(
        call("availability_specialist", input=f"Check availability on {DAY} afternoon"),
        says("14:00, 15:00 and 16:00 are free tomorrow."),
    )
    run(first, RecordingInvoker(service, availability=availability), service, conversation)

    manager = scripted(
        call("booking_specialist", input=f"Book a court on {DAY} at 15:00"), says("Booked.")
    )
    invoker = RecordingInvoker(service, booking=booking_specialist())
    outcome, usage = run(manager, invoker, service, conversation, "Book the 3pm one")

    assert "14:00, 15:00 and 16:00" in str(manager.first_call.input)
    assert outcome.booking is not None and outcome.booking.time == "15:00"
    assert usage.lambda_invocations == 2


def test_a_failing_specialist_is_reported_to_the_manager_not_hidden(service, store):
    manager = scripted(
        call("booking_specialist", input=f"Book a court on {DAY} at 15:00"),
        says("Sorry, booking is unavailable right now."),
    )

    def broken(function_name: str, payload: dict) -> dict:
        return {"error": {"code": "specialist_failed", "message": "The specialist failed."}}

    outcome, usage = run(manager, broken, service)

    assert "could not finish" in str(manager.last_call.input[-1])
    assert outcome.booking is None and owners(store) == {}
    assert usage.lambda_invocations == 2  # the invoke happened, and is counted


def test_a_specialist_that_loops_stops_at_its_own_bound(service):
    looping = scripted(*[call("list_bookings") for _ in range(2)])
    report = run_sync(
        serve(
            SPECIALISTS["booking"],
            SpecialistRequest(request="List my bookings", user_id="alice", budget=BUDGET),
            service,
            looping,
            max_turns=2,
        )
    )
    assert report["error"]["code"] == "loop_limit"
    assert report["usage"]["llm_calls"] == 2
    assert report["tool_calls"] == ["list_bookings", "list_bookings"]


def test_the_managers_bound_is_an_honest_error(service):
    manager = scripted(
        call("availability_specialist", input=f"Check {DAY}"),
        call("availability_specialist", input=f"Check {DAY} again"),
    )
    invoker = RecordingInvoker(
        service, availability=scripted(says("All free."), says("Still all free."))
    )
    with pytest.raises(ChatError) as stopped:
        run(manager, invoker, service, message="hi", max_turns=2)

    assert (stopped.value.status, stopped.value.code) == (502, "loop_limit")


def test_another_caller_with_the_same_session_id_sees_nothing_of_the_first(service):
    alices = MemoryConversation("alice")
    alices.append([{"role": "user", "content": "private plans"}])
    manager = scripted(says("Hello!"))

    outcome, _ = run(
        manager,
        RecordingInvoker(service),
        service,
        alices.as_caller("mallory"),
        "hi",
        user="mallory",
    )

    assert "private plans" not in str(manager.first_call.input)
    assert outcome.reply == "Hello!"
    assert alices.stored == [{"role": "user", "content": "private plans"}]


def test_a_specialist_that_keeps_booking_stops_at_the_budget_and_so_does_the_manager(
    service, store
):
    # Given a booking specialist whose model never stops booking
    manager = scripted(call("booking_specialist", input=f"Book every court on {DAY}"))
    invoker = RecordingInvoker(service, booking=scripted(*keeps_booking(DAY, *MANY_TIMES)))

    # When the turn runs (budget: 2 bookings per turn)
    outcome, usage = run(manager, invoker, service, MemoryConversation(), "Book everything")

    # Then two were booked, both reported across the process boundary, and the turn ended
    booked = [slot_at(DAY, "09:00"), slot_at(DAY, "10:00")]
    assert [b.slot_id for b in outcome.bookings] == booked
    assert sorted(b.slot_id for b in service.list_bookings("alice")) == booked
    assert len(manager.calls) == 1  # the manager was not asked to relay
    assert usage.tool_calls == ["booking_specialist", "book_slot", "book_slot", "book_slot"]
    assert all(b.booking_id in outcome.reply for b in outcome.bookings)
    assert outcome.reply.endswith("I stopped there: one request may book at most 2 courts.")


def test_parallel_booking_invokes_run_one_at_a_time_with_the_budget_left(service, store):
    # Given a manager that asks two booking specialists at once; each would book two courts
    manager = scripted(
        calls(
            ("booking_specialist", {"input": f"Book {DAY} at 09:00 and 10:00"}),
            ("booking_specialist", {"input": f"Book {DAY} at 14:00 and 15:00"}),
        ),
        says("All four booked!"),
    )
    first = scripted(*keeps_booking(DAY, "09:00", "10:00"), says("Booked 09:00 and 10:00."))
    second = scripted(*keeps_booking(DAY, "14:00", "15:00"), says("Booked 14:00 and 15:00."))
    invoker = RecordingInvoker(service, booking=[first, second])

    # When the turn runs
    outcome, _ = run(manager, invoker, service, message="Book four courts")

    # Then the second invoke was handed what the first left (nothing), and was refused
    budgets = [payload["budget"]["bookings"] for _, payload in invoker.invocations]
    assert budgets == [2, 0]
    assert len(outcome.bookings) == 2 and len(service.list_bookings("alice")) == 2
    assert "at most 2 courts" in outcome.reply and "All four" not in outcome.reply


def test_the_specialist_enforces_the_budget_it_is_given_and_reports_every_write(service, store):
    made = [service.book(slot_at(DAY, t), "alice") for t in ("16:00", "17:00")]
    model = scripted(
        *keeps_booking(DAY, "09:00"),
        *keeps_cancelling(*[b.booking_id for b in made]),
        says("done"),
    )
    budget = {"bookings": 1, "cancellations": 1}
    request = SpecialistRequest.model_validate(
        {"request": "Shuffle my bookings", "user_id": "alice", "budget": budget}
    )

    report = run_sync(serve(SPECIALISTS["booking"], request, service, model))

    assert [b["slot_id"] for b in report["bookings"]] == [slot_at(DAY, "09:00")]
    assert [b["booking_id"] for b in report["cancellations"]] == [made[0].booking_id]
    assert report["booking"] == report["bookings"][0]
    assert report["budget_spent_by"] == "cancel"
    assert owners(store).get(slot_at(DAY, "17:00")) == "alice"  # the refused cancel did nothing


def test_a_payload_without_a_budget_is_refused(service):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        SpecialistRequest.model_validate({"request": "Book 15:00", "user_id": "alice"})
