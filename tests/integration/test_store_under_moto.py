"""The DynamoDB store against moto: the conditional writes and queries the rules rely on."""

import pytest

from booking.errors import BookingNotFound, NotYourBooking, SlotTaken
from booking.table import PARTITION_KEY, SORT_KEY
from tests.integration.conftest import TABLE


def test_a_booking_is_one_item_keyed_by_day_and_slot(dynamo_service, dynamodb):
    booking = dynamo_service.book("2026-11-25_CourtB_1500", "alice")

    item = dynamodb.get_item(
        TableName=TABLE,
        Key={
            PARTITION_KEY: {"S": "DATE#2026-11-25"},
            SORT_KEY: {"S": "SLOT#2026-11-25_CourtB_1500"},
        },
    )["Item"]
    assert item["user_id"]["S"] == "alice"
    assert item["booking_id"]["S"] == booking.booking_id
    assert int(item["expires_at"]["N"]) > 0


def test_the_conditional_put_refuses_a_second_booking_in_sequence(dynamo_service, dynamodb):
    dynamo_service.book("2026-11-25_CourtB_1500", "alice")
    with pytest.raises(SlotTaken):
        dynamo_service.book("2026-11-25_CourtB_1500", "bob")
    assert dynamodb.scan(TableName=TABLE)["Count"] == 1


def test_availability_and_listing_read_back_what_was_stored(dynamo_service):
    dynamo_service.book("2026-11-25_CourtA_1500", "alice")
    dynamo_service.book("2026-11-26_CourtC_0900", "alice")
    dynamo_service.book("2026-11-25_CourtB_1500", "bob")

    free = dynamo_service.check_availability("2026-11-25", "15:00")
    mine = dynamo_service.list_bookings("alice")

    assert [s.court for s in free] == ["Court C"]
    assert [b.slot_id for b in mine] == ["2026-11-25_CourtA_1500", "2026-11-26_CourtC_0900"]


def test_cancel_is_conditioned_on_the_owner(dynamo_service, dynamodb):
    booking = dynamo_service.book("2026-11-25_CourtA_1500", "alice")

    with pytest.raises(NotYourBooking):
        dynamo_service.cancel(booking.booking_id, "mallory")
    with pytest.raises(BookingNotFound):
        dynamo_service.cancel("2026-11-25_CourtA_1500.00000000", "alice")
    assert dynamodb.scan(TableName=TABLE)["Count"] == 1

    dynamo_service.cancel(booking.booking_id, "alice")
    assert dynamodb.scan(TableName=TABLE)["Count"] == 0
