"""The plain-code fulfilment of A-C (`workflow.fulfilment`): the free slots a structured
request means, and the refusal of a court that does not exist; the choice among them
(`booking.slot_choice`) as pattern B makes it."""

from __future__ import annotations

import pytest

from booking.errors import UnknownCourt
from pattern_b.orchestration import run_workflow
from pattern_core.contract.turn import ChatTurn
from pattern_core.workflow.fulfilment import find_slots
from tests.fakes import ScriptedOpenAI, booking_request
from tests.utils import owners


def test_find_slots_refuses_a_court_that_does_not_exist(service):
    with pytest.raises(UnknownCourt) as refused:
        find_slots(service, booking_request(court="Court D"))

    assert "Court D" in refused.value.message and "Court A" in refused.value.message


def test_find_slots_filters_by_part_of_day_in_availability_order(service):
    service.book("2026-11-25_CourtA_1700", "bob")

    evening = find_slots(service, booking_request(time=None, part_of_day="evening"))

    assert [s.slot_id for s in evening] == ["2026-11-25_CourtB_1700", "2026-11-25_CourtC_1700"]


def test_pattern_b_books_a_part_of_the_day_through_the_canonical_choice(make_ctx, store):
    request = booking_request(time=None, part_of_day="afternoon")
    ctx = make_ctx(ScriptedOpenAI(request, "Booked Court A at 14:00."))

    outcome = run_workflow(
        ChatTurn("Book tomorrow afternoon please", "alice", "s1", ctx.usage, "B"), ctx
    )

    assert outcome.booking.slot_id == "2026-11-25_CourtA_1400"
    assert owners(store) == {"2026-11-25_CourtA_1400": "alice"}
