"""Pattern A: one model call parses; plain code decides and writes the reply."""

import pytest

from booking.service import BookingService
from pattern_a.orchestration import HELP, handle_turn
from pattern_core.contract.turn import ChatTurn
from pattern_core.model.understanding import BookingRequest, understand
from pattern_core.usage import UsageMeter
from tests.fakes import ScriptedOpenAI, booking_request
from tests.utils import owners


def run(service, parsed, user="alice", message="Book tomorrow at 3pm"):
    client = ScriptedOpenAI(parsed)
    turn = ChatTurn(message, user, "s1", UsageMeter(), "A")
    outcome = handle_turn(
        turn,
        service,
        lambda text: understand(client, "test-model", service.schedule, text, turn.usage),
    )
    return outcome, turn.usage, client


def test_books_the_first_free_court_at_the_requested_time_with_one_model_call(service, store):
    outcome, usage, client = run(service, booking_request())

    assert outcome.booking.slot_id == "2026-11-25_CourtA_1500"
    assert owners(store).get("2026-11-25_CourtA_1500") == "alice"
    assert "Court A" in outcome.reply and "15:00" in outcome.reply
    assert usage.llm_calls == 1 and usage.input_tokens == 100 and usage.output_tokens == 20
    assert "Today is 2026-11-24 (Tuesday)" in client.requests[0]["messages"][0]["content"]


def test_repeated_requests_fill_courts_then_offer_other_times(service, store):
    courts = [run(service, booking_request(), user=f"u{n}")[0].booking.court for n in range(3)]
    full, _, _ = run(service, booking_request(), user="u4")

    assert courts == ["Court A", "Court B", "Court C"]
    assert full.booking is None
    assert "15:00 on Wed 25 Nov is fully booked" in full.reply
    assert "14:00 (Court A, Court B, Court C)" in full.reply
    assert "16:00 (Court A, Court B, Court C)" in full.reply


def test_a_stated_court_preference_is_honoured(service, store):
    outcome, _, _ = run(service, booking_request(court="Court C"))
    assert outcome.booking.court == "Court C"


def test_a_part_of_the_day_books_its_earliest_free_slot_and_says_which(service, store):
    service.book("2026-11-25_CourtA_1400", "bob")

    outcome, usage, _ = run(service, booking_request(time=None, part_of_day="afternoon"))

    assert outcome.booking.slot_id == "2026-11-25_CourtB_1400"
    assert "Court B" in outcome.reply and "14:00" in outcome.reply
    assert usage.llm_calls == 1


def test_first_available_and_the_nth_one_pick_by_position(service, store):
    first, _, _ = run(service, booking_request(time=None, slot_preference=1), user="alice")
    second, _, _ = run(
        service,
        booking_request(time=None, part_of_day="afternoon", slot_preference=2),
        user="carol",
    )
    at_three, _, _ = run(service, booking_request(slot_preference=1), user="dave")

    assert first.booking.slot_id == "2026-11-25_CourtA_0900"
    assert second.booking.slot_id == "2026-11-25_CourtB_1400"
    assert at_three.booking.slot_id == "2026-11-25_CourtA_1500"


def test_a_position_past_the_free_slots_lists_them_and_books_nothing(service, store):
    for n, court in enumerate("AB"):
        service.book(f"2026-11-25_Court{court}_1700", f"player-{n}")

    outcome, _, _ = run(
        service, booking_request(time=None, part_of_day="evening", slot_preference=2)
    )

    assert outcome.booking is None and "alice" not in owners(store).values()
    assert "no number 2" in outcome.reply and "17:00 (Court C)" in outcome.reply


def test_a_position_past_the_free_courts_at_a_time_is_not_told_as_fully_booked(service, store):
    outcome, _, _ = run(service, booking_request(time="16:00", slot_preference=4))

    assert outcome.booking is None and owners(store) == {}
    assert outcome.reply == (
        "Only 3 slots are free on Wed 25 Nov at 16:00, so there is no number 4; nothing was "
        "booked. Nearest free times: 16:00 (Court A, Court B, Court C)."
    )


def test_a_court_that_does_not_exist_is_refused_by_name(service, store):
    outcome, _, _ = run(service, booking_request(court="Court D"))

    assert outcome.booking is None and owners(store) == {}
    assert "Court D" in outcome.reply and "Court A, Court B, Court C" in outcome.reply


def test_booking_without_a_time_part_of_day_or_position_asks_which_time(service, store):
    outcome, _, _ = run(service, booking_request(time=None))

    assert outcome.booking is None and owners(store) == {}
    assert outcome.reply.startswith("Which time on Wed 25 Nov?")
    assert "09:00" in outcome.reply and "17:00" in outcome.reply


def test_refusals_from_the_rules_become_replies(service, store):
    past, _, _ = run(service, booking_request(date="2026-11-24", time="09:00"))
    no_day, _, _ = run(service, booking_request(date=None))
    odd_time, _, _ = run(service, booking_request(time="13:00"))

    assert past.booking is None and "already started" in past.reply
    assert no_day.reply.startswith("Which day?")
    assert "No slot starts at 13:00" in odd_time.reply
    assert owners(store) == {}


def test_list_and_cancel_act_only_on_the_callers_bookings(service, store):
    mine = service.book("2026-11-26_CourtB_1000", "alice")
    theirs = service.book("2026-11-26_CourtC_1000", "bob")

    listed, _, _ = run(service, booking_request(intent="list_bookings", date=None, time=None))
    stolen, _, _ = run(service, booking_request(intent="cancel", booking_id=theirs.booking_id))
    by_time, _, _ = run(service, booking_request(intent="cancel", date="2026-11-26", time="10:00"))

    assert mine.booking_id in listed.reply and theirs.booking_id not in listed.reply
    assert "belongs to someone else" in stolen.reply
    assert owners(store).get(theirs.slot_id) == "bob"
    assert by_time.reply.startswith("Cancelled Court B")
    assert owners(store).get(mine.slot_id) is None


def cancel_request(**stated: object) -> BookingRequest:
    return booking_request(intent="cancel", **{"date": None, "time": None, **stated})


def test_cancel_without_id_or_day_cancels_the_callers_only_booking(service, store):
    mine = service.book("2026-11-27_CourtB_1000", "alice")
    theirs = service.book("2026-11-27_CourtC_1000", "bob")

    outcome, _, _ = run(service, cancel_request())

    assert [b.booking_id for b in outcome.cancellations] == [mine.booking_id]
    assert owners(store) == {theirs.slot_id: "bob"}


def test_cancel_without_id_asks_which_when_the_caller_holds_several(service, store):
    first = service.book("2026-11-25_CourtA_1500", "alice")
    second = service.book("2026-11-26_CourtB_1000", "alice")

    which, _, _ = run(service, cancel_request())
    unmatched, _, _ = run(service, cancel_request(date="2026-11-27"))
    nothing, _, _ = run(service, cancel_request(), user="bob")

    assert which.reply.startswith("Which booking should I cancel?")
    assert first.booking_id in which.reply and second.booking_id in which.reply
    assert unmatched.reply.startswith("No booking of yours matches that")
    assert nothing.reply == "You have no booking to cancel."
    assert not (which.cancellations or unmatched.cancellations or nothing.cancellations)
    assert sorted(owners(store)) == [first.slot_id, second.slot_id]


def test_a_booking_on_another_court_than_the_one_asked_for_says_so(service, store):
    service.book("2026-11-25_CourtB_1500", "bob")

    outcome, _, _ = run(service, booking_request(court="Court B"))
    free_b, _, _ = run(service, booking_request(time="16:00", court="B"))

    assert outcome.booking.court == "Court A"
    assert outcome.reply.endswith(" Court B was taken at 15:00.")
    assert free_b.booking.court == "Court B" and "taken" not in free_b.reply


def test_check_lists_free_times_in_the_part_of_day(service):
    service.book("2026-11-25_CourtA_1700", "bob")
    outcome, usage, _ = run(
        service, booking_request(intent="check_availability", time=None, part_of_day="evening")
    )
    assert outcome.reply == "Free on Wed 25 Nov: 17:00 (Court B, Court C)."
    assert usage.llm_calls == 1 and usage.tool_calls == []


def test_unclear_messages_get_help_not_a_guess(service, store):
    outcome, _, _ = run(service, booking_request(intent="other", date=None, time=None))
    assert "I can check free tennis courts" in outcome.reply and owners(store) == {}


def test_a_second_booking_of_the_same_time_is_answered_with_the_booking_held(service, store):
    # Given alice booked 15:00 tomorrow (Court A), and Courts B and C are still free
    first, _, _ = run(service, booking_request())

    # When she asks for 15:00 tomorrow again
    again, _, _ = run(service, booking_request())

    # Then she is told the booking she holds, by id, and no second court is booked
    assert again.bookings == []
    assert first.booking.booking_id in again.reply
    assert again.reply.startswith("You already have Court A on Wed 25 Nov at 15:00")
    assert list(owners(store).values()) == ["alice"]


def test_past_the_cap_on_upcoming_bookings_nothing_is_booked_and_the_caller_is_told(
    store, schedule
):
    service = BookingService(store, schedule, max_active_bookings=2)
    run(service, booking_request(time="09:00"))
    run(service, booking_request(time="10:00"))

    outcome, _, _ = run(service, booking_request(time="11:00"))

    assert outcome.bookings == []
    assert "You already have 2 upcoming bookings" in outcome.reply
    assert sorted(owners(store)) == [
        "2026-11-25_CourtA_0900",
        "2026-11-25_CourtA_1000",
    ]


def test_a_booking_at_a_named_time_costs_three_dynamodb_calls(service, db_calls):
    outcome, _, _ = run(service, booking_request())

    assert outcome.booking.slot_id == "2026-11-25_CourtA_1500"
    # That time's slots and the caller's ledger in one read, the reservation, the put.
    assert db_calls == ["BatchGetItem", "UpdateItem", "PutItem"]


def test_a_court_taken_after_the_read_moves_on_to_the_next_with_a_fresh_ledger(
    service, store, monkeypatch
):
    # Bob takes Court A between alice's read and her put: her first try meets "taken", gives
    # the time back and books Court B, reading her ledger again (the read one is stale).
    original_add = store.add

    def bob_first(booking, user_id):
        if booking.court == "Court A" and user_id == "alice":
            original_add(booking.model_copy(update={"booking_id": "bobs"}), "bob")
        return original_add(booking, user_id)

    monkeypatch.setattr(store, "add", bob_first)
    outcome, _, _ = run(service, booking_request())

    assert outcome.booking.court == "Court B"
    assert owners(store) == {
        "2026-11-25_CourtA_1500": "bob",
        "2026-11-25_CourtB_1500": "alice",
    }
    assert list(store.ledger("alice").entries) == ["2026-11-25T15:00"]


def test_a_model_that_refuses_to_parse_is_read_as_other_and_gets_the_help(service, store):
    # Given a model that answers with text instead of the structured request (a refusal)
    outcome, usage, _ = run(service, "I can't help with that.")

    # Then nothing is booked and the person is told what A can do
    assert outcome.reply == HELP and outcome.booking is None
    assert owners(store) == {} and usage.llm_calls == 1


def test_a_request_states_only_what_it_names_and_refuses_a_field_it_does_not_have():
    request = BookingRequest.saying("book", time="15:00", court="Court B")

    assert request.model_dump() == {
        "intent": "book",
        "date": None,
        "time": "15:00",
        "part_of_day": None,
        "court": "Court B",
        "booking_id": None,
        "slot_preference": None,
    }
    with pytest.raises(TypeError, match="no field room"):
        BookingRequest.saying("book", room="2")


def move_request(**stated: object) -> BookingRequest:
    """What the model understood of a move: the fields describe the new slot."""
    return booking_request(intent="move", **{"date": None, "time": None, **stated})


def test_a_move_books_the_new_slot_and_cancels_the_callers_only_booking(service, store):
    # Given alice holds Court A tomorrow at 15:00
    old = service.book("2026-11-25_CourtA_1500", "alice")

    # When she says "Move my booking tomorrow at 3pm to 4pm"
    outcome, usage, _ = run(service, move_request(date="2026-11-25", time="16:00"))

    # Then 16:00 is booked, 15:00 cancelled, and she holds only the new one
    assert [b.slot_id for b in outcome.bookings] == ["2026-11-25_CourtA_1600"]
    assert [b.booking_id for b in outcome.cancellations] == [old.booking_id]
    assert owners(store) == {"2026-11-25_CourtA_1600": "alice"}
    assert outcome.reply == (
        f"Moved: Court A on Wed 25 Nov at 16:00 (booking id {outcome.booking.booking_id}); "
        f"your booking of Court A on Wed 25 Nov at 15:00 (booking id {old.booking_id}) is "
        "cancelled."
    )
    assert usage.llm_calls == 1


def test_make_it_another_court_moves_on_the_bookings_own_day(service, store):
    service.book("2026-11-26_CourtA_1500", "alice")

    outcome, _, _ = run(service, move_request(time="14:00", court="Court B"))

    assert outcome.booking.slot_id == "2026-11-26_CourtB_1400"
    assert [b.slot_id for b in outcome.cancellations] == ["2026-11-26_CourtA_1500"]
    assert owners(store) == {"2026-11-26_CourtB_1400": "alice"}


def test_a_move_with_no_booking_to_move_books_nothing(service, store):
    service.book("2026-11-25_CourtA_1500", "bob")

    outcome, _, _ = run(service, move_request(date="2026-11-25", time="16:00"))

    assert outcome.reply == "You have no booking to move."
    assert (outcome.bookings, outcome.cancellations) == ([], [])
    assert owners(store) == {"2026-11-25_CourtA_1500": "bob"}


def test_a_move_with_several_bookings_and_no_id_asks_which_and_changes_nothing(service, store):
    first = service.book("2026-11-25_CourtA_1500", "alice")
    second = service.book("2026-11-26_CourtB_1000", "alice")

    outcome, _, _ = run(service, move_request(time="16:00"))

    assert outcome.reply.startswith("Which booking should I move?")
    assert first.booking_id in outcome.reply and second.booking_id in outcome.reply
    assert (outcome.bookings, outcome.cancellations) == ([], [])
    assert sorted(owners(store)) == [first.slot_id, second.slot_id]


def test_a_move_by_booking_id_moves_that_one(service, store):
    service.book("2026-11-25_CourtA_1500", "alice")
    second = service.book("2026-11-26_CourtB_1000", "alice")

    outcome, _, _ = run(service, move_request(booking_id=second.booking_id, time="11:00"))

    assert outcome.booking.slot_id == "2026-11-26_CourtA_1100"
    assert [b.booking_id for b in outcome.cancellations] == [second.booking_id]
    assert sorted(owners(store)) == ["2026-11-25_CourtA_1500", "2026-11-26_CourtA_1100"]


def test_a_refused_move_keeps_the_old_booking_and_books_nothing(service, store):
    # Given alice holds Court A at 15:00 and bob holds Court B at 14:00
    old = service.book("2026-11-25_CourtA_1500", "alice")
    service.book("2026-11-25_CourtB_1400", "bob")

    # When she asks to move to the taken slot, then to a court that does not exist
    taken, _, _ = run(service, move_request(time="14:00", court="Court B"))
    unknown, _, _ = run(service, move_request(time="14:00", court="Court D"))

    # Then each is refused with the reason, and her booking stays as it was
    assert "Court B is not free" in taken.reply and "14:00 (Court A, Court C)" in taken.reply
    assert "Court D" in unknown.reply
    for refused in (taken, unknown):
        assert (refused.bookings, refused.cancellations) == ([], [])
        assert "Your booking of Court A at 15:00 on Wed 25 Nov is unchanged." in refused.reply
    assert owners(store) == {old.slot_id: "alice", "2026-11-25_CourtB_1400": "bob"}


def test_a_move_of_someone_elses_booking_is_refused(service, store):
    theirs = service.book("2026-11-25_CourtA_1500", "bob")

    outcome, _, _ = run(service, move_request(booking_id=theirs.booking_id, time="16:00"))

    assert "belongs to someone else" in outcome.reply
    assert (outcome.bookings, outcome.cancellations) == ([], [])
    assert owners(store) == {theirs.slot_id: "bob"}
