"""Booking a slot the way people say it, through the tool contract: a day and time with the
court optional, a part of the day, the first available, the Nth one; a court that does not
exist is refused by name."""

import pytest

from booking.effects import TurnEffects
from booking.tools import invoke_tool
from tests.utils import owners

DAY = "2026-11-25"  # tomorrow in the fixtures' clock
TODAY = "2026-11-24"  # 10:30 now: 09:00 and 10:00 have started


def book(service, arguments: dict, user: str = "alice", effects: TurnEffects | None = None):
    return invoke_tool("book_slot", service, user, arguments, effects=effects or TurnEffects())


def taken(service, *slot_ids: str) -> None:
    """Other people's bookings (one person holds one court per start time)."""
    for n, slot_id in enumerate(slot_ids):
        service.book(slot_id, f"player-{n}")


def test_a_part_of_the_day_books_its_earliest_free_slot(service, store):
    result = book(service, {"date": DAY, "part_of_day": "afternoon"})

    assert result["booking"]["slot_id"] == f"{DAY}_CourtA_1400"
    assert owners(store)[f"{DAY}_CourtA_1400"] == "alice"


def test_a_full_hour_moves_a_part_of_the_day_on_to_the_next_free_slot(service):
    taken(service, f"{DAY}_CourtA_1400", f"{DAY}_CourtB_1400", f"{DAY}_CourtC_1400")

    result = book(service, {"date": DAY, "part_of_day": "afternoon"})

    assert result["booking"]["slot_id"] == f"{DAY}_CourtA_1500"


def test_a_day_alone_books_the_first_available_and_today_skips_started_slots(service):
    first = book(service, {"date": DAY}, user="alice")
    today = book(service, {"date": TODAY, "position": 1}, user="carol")

    assert first["booking"]["slot_id"] == f"{DAY}_CourtA_0900"
    assert today["booking"]["slot_id"] == f"{TODAY}_CourtA_1100"


def test_position_counts_free_slots_in_availability_order(service):
    taken(service, f"{DAY}_CourtA_1400")
    listed = invoke_tool(
        "check_availability",
        service,
        "alice",
        {"date": DAY, "part_of_day": "afternoon"},
        effects=TurnEffects(),
    )

    result = book(service, {"date": DAY, "part_of_day": "afternoon", "position": 2})

    assert [s["slot_id"] for s in listed["free_slots"][:3]] == [
        f"{DAY}_CourtB_1400",
        f"{DAY}_CourtC_1400",
        f"{DAY}_CourtA_1500",
    ]
    assert result["booking"]["slot_id"] == listed["free_slots"][1]["slot_id"]


def test_check_availability_filters_by_part_of_day(service):
    def times(part: str) -> set[str]:
        result = invoke_tool(
            "check_availability",
            service,
            "alice",
            {"date": DAY, "part_of_day": part},
            effects=TurnEffects(),
        )
        return {s["time"] for s in result["free_slots"]}

    assert times("morning") == {"09:00", "10:00", "11:00"}
    assert times("afternoon") == {"14:00", "15:00", "16:00"}
    assert times("evening") == {"17:00"}


def test_a_day_and_time_books_the_first_free_court_then_honours_a_named_court(service):
    taken(service, f"{DAY}_CourtA_1500")

    any_court = book(service, {"date": DAY, "time": "15:00"}, user="alice")
    named = book(service, {"date": DAY, "time": "16:00", "court": "court c"}, user="alice")

    assert any_court["booking"]["slot_id"] == f"{DAY}_CourtB_1500"
    assert named["booking"]["slot_id"] == f"{DAY}_CourtC_1600"


def test_a_court_that_does_not_exist_is_refused_by_name_not_swapped(service, store):
    effects = TurnEffects()

    result = book(service, {"date": DAY, "time": "15:00", "court": "Court D"}, effects=effects)

    assert result["error"]["code"] == "unknown_court"
    assert "Court D" in result["error"]["message"]
    assert result["error"]["courts"] == ["Court A", "Court B", "Court C"]
    assert owners(store) == {}
    assert effects.remaining("book") == effects.budget.max_bookings  # the claim was given back


def test_the_nth_slot_beyond_the_matches_lists_the_matches(service, store):
    taken(service, f"{DAY}_CourtA_1700", f"{DAY}_CourtB_1700")

    result = book(service, {"date": DAY, "part_of_day": "evening", "position": 2})

    assert result["error"]["code"] == "no_free_slot"
    assert [s["slot_id"] for s in result["error"]["alternatives"]] == [f"{DAY}_CourtC_1700"]
    assert "alice" not in owners(store).values()


def test_a_time_that_is_not_a_start_time_offers_the_nearest_free_ones(service):
    result = book(service, {"date": DAY, "time": "15:30"})

    assert result["error"]["code"] == "slot_not_found"
    assert "15:30" in result["error"]["message"]
    assert {s["time"] for s in result["error"]["alternatives"]} >= {"15:00", "16:00"}


def test_nothing_free_on_the_court_asked_for_offers_alternatives(service):
    taken(service, f"{DAY}_CourtB_1500")

    result = book(service, {"date": DAY, "time": "15:00", "court": "Court B"})

    assert result["error"]["code"] == "no_free_slot"
    assert "Court B" in result["error"]["message"]
    assert f"{DAY}_CourtA_1500" in {s["slot_id"] for s in result["error"]["alternatives"]}


@pytest.mark.parametrize(
    "arguments",
    [
        {},  # neither a slot id nor a day
        {"date": DAY, "position": 0},
        {"date": DAY, "part_of_day": "night"},
    ],
)
def test_contradictory_or_invalid_targets_are_argument_errors(service, store, arguments):
    result = book(service, arguments)

    assert result["error"]["code"] == "invalid_arguments"
    assert owners(store) == {}


def test_a_slot_id_still_books_exactly_that_slot(service):
    result = book(service, {"slot_id": f"{DAY}_CourtC_1000", "date": None, "time": None})

    assert result["booking"]["slot_id"] == f"{DAY}_CourtC_1000"


def test_a_slot_id_with_agreeing_fields_books_it_and_a_contradiction_is_refused(service, store):
    slot_id = f"{DAY}_CourtA_1500"
    agreeing = book(service, {"slot_id": slot_id, "date": DAY, "time": "15:00", "court": "A"})
    other = f"{DAY}_CourtA_1600"
    clashes = [
        book(service, {"slot_id": other, "court": "Court B"}),
        book(service, {"slot_id": other, "date": "2026-11-26"}),
        book(service, {"slot_id": other, "part_of_day": "morning"}),
    ]

    assert agreeing["booking"]["slot_id"] == slot_id
    assert [c["error"]["code"] for c in clashes] == ["invalid_request"] * 3
    assert "court" in clashes[0]["error"]["message"]
    assert other not in owners(store)


def test_a_full_part_of_the_day_says_so_in_words_and_carries_the_nearest_free_as_data(service):
    taken(service, *[f"{DAY}_Court{c}_{t}" for c in "ABC" for t in ("0900", "1000", "1100")])

    result = book(service, {"date": DAY, "part_of_day": "morning"})

    assert result["error"]["code"] == "no_free_slot"
    # Listed once, by whoever shows the refusal: the message does not list them again.
    assert result["error"]["message"] == "Nothing is free on Wed 25 Nov in the morning."
    assert [s["time"] for s in result["error"]["alternatives"]][:3] == ["14:00"] * 3


def test_a_position_beyond_the_free_slots_says_how_many_there_are(service, store):
    result = book(service, {"date": DAY, "time": "16:00", "position": 4})

    assert result["error"]["message"] == (
        "Only 3 slots are free on Wed 25 Nov at 16:00, so there is no number 4; nothing was booked."
    )
    assert [s["court"] for s in result["error"]["alternatives"]] == [
        "Court A",
        "Court B",
        "Court C",
    ]
    assert owners(store) == {}
