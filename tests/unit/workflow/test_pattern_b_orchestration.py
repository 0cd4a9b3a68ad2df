"""Pattern B: the steps run in order in one process, timed, and a failing step ends the run."""

from __future__ import annotations

import pytest

from pattern_b.orchestration import run_workflow
from pattern_core.contract.turn import ChatError, ChatTurn
from tests.fakes import ScriptedOpenAI, booking_request, model_unreachable
from tests.utils import owners


def turn(ctx, message="Book tomorrow at 3pm", user="alice") -> ChatTurn:
    return ChatTurn(message, user, "s1", ctx.usage, "B")


def test_a_booking_runs_all_five_steps_with_two_model_calls(make_ctx, store):
    ctx = make_ctx(ScriptedOpenAI(booking_request(), "Booked Court A, see you at 15:00."))

    outcome = run_workflow(turn(ctx), ctx)

    assert outcome.booking.slot_id == "2026-11-25_CourtA_1500"
    assert owners(store).get("2026-11-25_CourtA_1500") == "alice"
    assert list(ctx.usage.steps) == [
        "understand",
        "find_slots",
        "choose_slot",
        "book",
        "write_reply",
    ]
    assert ctx.usage.llm_calls == 2 and ctx.usage.input_tokens == 200


def test_nothing_free_skips_choosing_and_booking(make_ctx, service, store):
    for court in ("A", "B", "C"):
        service.book(f"2026-11-25_Court{court}_1500", f"player-{court}")
    model = ScriptedOpenAI(booking_request(), "15:00 is full; 14:00 and 16:00 are free.")
    ctx = make_ctx(model)

    outcome = run_workflow(turn(ctx), ctx)

    assert outcome.booking is None
    assert list(ctx.usage.steps) == ["understand", "find_slots", "write_reply"]
    assert set(owners(store).values()) == {"player-A", "player-B", "player-C"}
    assert '"alternatives"' in model.requests[1]["messages"][1]["content"]


def test_a_failing_first_step_is_an_error_response_and_nothing_is_booked(make_ctx, store):
    ctx = make_ctx(ScriptedOpenAI(model_unreachable()))

    with pytest.raises(ChatError) as raised:
        run_workflow(turn(ctx), ctx)

    assert (raised.value.status, raised.value.code) == (502, "model_error")
    assert "Nothing was booked." in raised.value.message
    assert owners(store) == {}
    assert list(ctx.usage.steps) == ["understand"]


def test_a_failing_reply_after_booking_reports_the_real_booking(make_ctx, store):
    ctx = make_ctx(ScriptedOpenAI(booking_request(), model_unreachable()))

    outcome = run_workflow(turn(ctx), ctx)

    assert outcome.booking.slot_id == "2026-11-25_CourtA_1500"
    booking_id = outcome.booking.booking_id
    assert outcome.reply == f"Booked Court A on Wed 25 Nov at 15:00 (booking id {booking_id})."
    assert owners(store).get("2026-11-25_CourtA_1500") == "alice"
