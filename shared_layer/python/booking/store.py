"""The only code that touches the bookings table.

One item per booked slot, keyed by day and slot: booking is a single conditional PutItem
(`attribute_not_exists`), so two concurrent requests for one slot cannot both win — no
transaction needed. Availability is one Query on the day's partition; a user's bookings come
from the `by_user` index; cancel is a DeleteItem conditioned on the caller owning the booking.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from typing import Protocol

import boto3
from botocore.exceptions import ClientError

from booking.errors import BookingNotFound, NotYourBooking
from booking.models import Booking
from booking.table import (
    PARTITION_KEY,
    SORT_KEY,
    TTL_ATTRIBUTE,
    USER_INDEX_NAME,
    USER_INDEX_PARTITION_KEY,
)

RETENTION_DAYS = 30  # a booking item expires (TTL) this long after its slot


class SlotAlreadyBooked(Exception):
    """The conditional put lost: the slot has an item already."""


class BookingStore(Protocol):
    def add(self, booking: Booking, user_id: str) -> None: ...
    def booked_slot_ids(self, day: dt.date) -> set[str]: ...
    def bookings_of(self, user_id: str) -> list[Booking]: ...
    def remove(self, booking_id: str, slot_id: str, user_id: str) -> Booking: ...


def _key(day: str, slot_id: str) -> dict:
    return {
        PARTITION_KEY: {"S": f"DATE#{day}"},
        SORT_KEY: {"S": f"SLOT#{slot_id}"},
    }


def _booking(item: dict) -> Booking:
    return Booking(
        booking_id=item["booking_id"]["S"],
        slot_id=item["slot_id"]["S"],
        court=item["court"]["S"],
        date=item["date"]["S"],
        time=item["time"]["S"],
    )


@functools.cache
def dynamodb_client():
    """One client per container; AWS_ENDPOINT_URL_DYNAMODB points it at the local server."""
    return boto3.client("dynamodb")


class DynamoBookingStore:
    def __init__(self, table_name: str, client=None) -> None:
        self.table_name = table_name
        self.client = client or dynamodb_client()

    @classmethod
    def from_env(cls) -> DynamoBookingStore:
        return cls(os.environ["BOOKINGS_TABLE_NAME"])

    def add(self, booking: Booking, user_id: str) -> None:
        expires = dt.datetime.fromisoformat(booking.date) + dt.timedelta(days=RETENTION_DAYS)
        item = _key(booking.date, booking.slot_id) | {
            "booking_id": {"S": booking.booking_id},
            "slot_id": {"S": booking.slot_id},
            "court": {"S": booking.court},
            "date": {"S": booking.date},
            "time": {"S": booking.time},
            USER_INDEX_PARTITION_KEY: {"S": user_id},
            "created_at": {"S": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
            TTL_ATTRIBUTE: {"N": str(int(expires.replace(tzinfo=dt.UTC).timestamp()))},
        }
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=item,
                ConditionExpression="attribute_not_exists(#pk)",
                ExpressionAttributeNames={"#pk": PARTITION_KEY},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise SlotAlreadyBooked(booking.slot_id) from exc
            raise

    def booked_slot_ids(self, day: dt.date) -> set[str]:
        paginator = self.client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self.table_name,
            KeyConditionExpression="#pk = :pk",
            ExpressionAttributeNames={"#pk": PARTITION_KEY},
            ExpressionAttributeValues={":pk": {"S": f"DATE#{day.isoformat()}"}},
            ProjectionExpression="slot_id",
            ConsistentRead=True,
        )
        return {item["slot_id"]["S"] for page in pages for item in page["Items"]}

    def bookings_of(self, user_id: str) -> list[Booking]:
        paginator = self.client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self.table_name,
            IndexName=USER_INDEX_NAME,
            KeyConditionExpression="#user = :user",
            ExpressionAttributeNames={"#user": USER_INDEX_PARTITION_KEY},
            ExpressionAttributeValues={":user": {"S": user_id}},
        )
        bookings = [_booking(item) for page in pages for item in page["Items"]]
        return sorted(bookings, key=lambda b: (b.date, b.time, b.court))

    def remove(self, booking_id: str, slot_id: str, user_id: str) -> Booking:
        day = slot_id.split("_", 1)[0]
        try:
            response = self.client.delete_item(
                TableName=self.table_name,
                Key=_key(day, slot_id),
                ConditionExpression="booking_id = :booking AND #user = :user",
                ExpressionAttributeNames={"#user": USER_INDEX_PARTITION_KEY},
                ExpressionAttributeValues={
                    ":booking": {"S": booking_id},
                    ":user": {"S": user_id},
                },
                ReturnValues="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            # Tell "not yours" from "no such booking" with one read; neither deletes anything.
            existing = self.client.get_item(
                TableName=self.table_name, Key=_key(day, slot_id), ConsistentRead=True
            ).get("Item")
            if existing and existing["booking_id"]["S"] == booking_id:
                raise NotYourBooking(f"Booking {booking_id} belongs to someone else.") from exc
            raise BookingNotFound(f"There is no booking {booking_id}.") from exc
        return _booking(response["Attributes"])
