"""The only code that touches the bookings table.

One item per booked slot, keyed by day and slot: booking is a single conditional PutItem
(`attribute_not_exists`), so two concurrent requests for one slot cannot both win — no
transaction needed. Availability is one Query on the day's partition; a user's bookings come
from the `by_user` index; cancel is a DeleteItem conditioned on the caller owning the booking.

The caller's ledger. Rules about one *person* (one court per start time, at most
`max_active_bookings` upcoming bookings) span several slot items, and the local server
(dynalite) has no TransactWriteItems, so each caller has one more item in the same table:
pk `USER#{user_id}`, sk `LEDGER`, holding `entries` (a map start time -> the booking that
holds it, when it was reserved and, for retried requests, the request's digest) and a
`version`. It has no `user_id` attribute, so it never appears in the `by_user` index, and it
lives outside every `DATE#` partition, so availability never sees it. The service
(booking.service) books in two writes:

1. reserve: one UpdateItem replacing the whole map, conditioned on the version it read
   (optimistic; a conflict re-reads, a bounded number of times), which is where both rules
   are checked — against a consistent read of the ledger;
2. the slot's conditional PutItem, unchanged; if the slot is taken, the reservation is
   released by an UpdateItem conditioned on the entry still naming this booking.

Cancel is the owner-conditioned DeleteItem, then the same conditional release.

Booking at a named day and time reads what it needs in one BatchGetItem (consistent reads):
the slot items of that start time on every court and the caller's ledger, so "book tomorrow at
15:00" costs that read, the reservation and the put — three calls. Any other way of naming a
slot reads the day's partition (one Query) and then the ledger (one GetItem).

A crash between the two writes (a timeout, a killed container) leaves an entry whose slot item
is missing, or holds somebody else's booking: the caller looks busy at that time. It heals
itself: an entry reserved more than `RESERVATION_GRACE` ago (longer than any function's
timeout, so its writer can no longer be running) whose slot item does not hold its booking is
dropped by the next booking it blocks. Entries for slots that have started are pruned on the
next write, and the item expires (TTL) `RETENTION_DAYS` after its last slot, like bookings.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from typing import Protocol

from botocore.exceptions import ClientError

from booking.errors import BookingBusy, BookingNotFound, NotYourBooking
from booking.models import Booking
from booking.table import (
    PARTITION_KEY,
    SORT_KEY,
    TTL_ATTRIBUTE,
    USER_INDEX_NAME,
    USER_INDEX_PARTITION_KEY,
)
from settings import Settings

RETENTION_DAYS = 30  # a booking item expires (TTL) this long after its slot
# Longer than any function's timeout (the longest is 30 s): a reservation this old whose slot
# item does not hold its booking was left by a writer that is gone, not one still running.
RESERVATION_GRACE = dt.timedelta(seconds=120)
LEDGER_SORT_KEY = "LEDGER"
BATCH_GET_KEYS = 100  # DynamoDB's limit on keys per BatchGetItem
# Rounds of BatchGetItem for the keys DynamoDB left unprocessed (throttling, size), with an
# exponential, jittered pause between them (at most 1.55 s in all), before giving up.
BATCH_GET_ROUNDS = 6


class SlotAlreadyBooked(Exception):
    """The conditional put lost: the slot has an item already."""


class LedgerChanged(Exception):
    """The optimistic write of a caller's ledger lost: it changed since it was read."""


@dataclass(frozen=True)
class Reservation:
    """One start time held in a caller's ledger: by which booking, since when (wall clock,
    UTC), and for retried requests the request's digest, so a retry recognises its own."""

    booking: Booking
    at: dt.datetime
    request: str | None = None
    # A move in progress: the booking this one replaces (booking.service.move), so a crash
    # between the move's writes can be settled by the caller's next booking.
    replaces: Booking | None = None


@dataclass(frozen=True)
class Ledger:
    """A caller's reservations by start time (`booking.models.start_key`). Version 0 means the
    caller has no ledger item yet."""

    version: int = 0
    entries: dict[str, Reservation] = field(default_factory=dict)


class BookingStore(Protocol):
    def add(self, booking: Booking, user_id: str) -> None: ...
    def booked_slot_ids(self, day: dt.date) -> set[str]: ...
    def bookings_of(self, user_id: str) -> list[Booking]: ...
    def remove(self, booking_id: str, slot_id: str, user_id: str) -> Booking: ...
    def holder(self, slot_id: str) -> str | None: ...
    def get(self, slot_id: str) -> tuple[Booking, str] | None: ...
    def ledger(self, user_id: str) -> Ledger: ...
    def booked_and_ledger(self, slot_ids: list[str], user_id: str) -> tuple[set[str], Ledger]: ...
    def save_ledger(
        self, user_id: str, entries: dict[str, Reservation], expected_version: int
    ) -> None: ...
    def release(
        self, user_id: str, start: str, booking_id: str, restore: Reservation | None = None
    ) -> None: ...


def _key(day: str, slot_id: str) -> dict:
    return {
        PARTITION_KEY: {"S": f"DATE#{day}"},
        SORT_KEY: {"S": f"SLOT#{slot_id}"},
    }


def _ledger_key(user_id: str) -> dict:
    return {PARTITION_KEY: {"S": f"USER#{user_id}"}, SORT_KEY: {"S": LEDGER_SORT_KEY}}


def _expiry(day: str) -> str:
    expires = dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)
    return str(int((expires + dt.timedelta(days=RETENTION_DAYS)).timestamp()))


def _reservation_item(reservation: Reservation) -> dict:
    booking = reservation.booking
    fields = {name: {"S": value} for name, value in booking.model_dump().items()}
    fields["at"] = {"S": reservation.at.astimezone(dt.UTC).isoformat(timespec="seconds")}
    if reservation.request:
        fields["request"] = {"S": reservation.request}
    if reservation.replaces:
        old = reservation.replaces.model_dump()
        fields["replaces"] = {"M": {name: {"S": value} for name, value in old.items()}}
    return {"M": fields}


def _reservation(value: dict) -> Reservation:
    fields = value["M"]
    return Reservation(
        booking=_booking(fields),
        at=dt.datetime.fromisoformat(fields["at"]["S"]),
        request=fields.get("request", {}).get("S"),
        replaces=_booking(fields["replaces"]["M"]) if "replaces" in fields else None,
    )


def _ledger(item: dict | None) -> Ledger:
    if not item:
        return Ledger()
    entries = {start: _reservation(value) for start, value in item["entries"]["M"].items()}
    return Ledger(version=int(item["version"]["N"]), entries=entries)


def _booking(item: dict) -> Booking:
    return Booking(
        booking_id=item["booking_id"]["S"],
        slot_id=item["slot_id"]["S"],
        court=item["court"]["S"],
        date=item["date"]["S"],
        time=item["time"]["S"],
    )


class DynamoBookingStore:
    def __init__(self, table_name: str, client=None) -> None:
        self.table_name = table_name
        # A handler passes the container's client (`pattern_core.collaborators`);
        # AWS_ENDPOINT_URL_DYNAMODB points a client at the local server.
        if client is None:
            import boto3  # here, not at the top: the CDK app reads the tool contract without it

            client = boto3.client("dynamodb")
        self.client = client

    @classmethod
    def from_env(cls, client=None) -> DynamoBookingStore:
        return cls(Settings.from_env().required("bookings_table_name"), client)

    def add(self, booking: Booking, user_id: str) -> None:
        item = _key(booking.date, booking.slot_id) | {
            "booking_id": {"S": booking.booking_id},
            "slot_id": {"S": booking.slot_id},
            "court": {"S": booking.court},
            "date": {"S": booking.date},
            "time": {"S": booking.time},
            USER_INDEX_PARTITION_KEY: {"S": user_id},
            "created_at": {"S": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
            TTL_ATTRIBUTE: {"N": _expiry(booking.date)},
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

    def holder(self, slot_id: str) -> str | None:
        """The booking id the slot's item holds now (consistent read), or None if it is free."""
        item = self.client.get_item(
            TableName=self.table_name,
            Key=_key(slot_id.split("_", 1)[0], slot_id),
            ConsistentRead=True,
            ProjectionExpression="booking_id",
        ).get("Item")
        return item["booking_id"]["S"] if item else None

    def get(self, slot_id: str) -> tuple[Booking, str] | None:
        """The booking the slot's item holds and its owner (consistent read), or None."""
        item = self.client.get_item(
            TableName=self.table_name,
            Key=_key(slot_id.split("_", 1)[0], slot_id),
            ConsistentRead=True,
        ).get("Item")
        return (_booking(item), item[USER_INDEX_PARTITION_KEY]["S"]) if item else None

    # -- the caller's ledger ---------------------------------------------------------------
    def ledger(self, user_id: str) -> Ledger:
        item = self.client.get_item(
            TableName=self.table_name, Key=_ledger_key(user_id), ConsistentRead=True
        ).get("Item")
        return _ledger(item)

    def booked_and_ledger(self, slot_ids: list[str], user_id: str) -> tuple[set[str], Ledger]:
        """Which of `slot_ids` are booked, and the caller's ledger: one BatchGetItem of
        consistent reads (one per 100 keys), plus a retry for any keys DynamoDB leaves
        unprocessed. What booking at a known start time needs, in one call."""
        keys = [_key(slot_id.split("_", 1)[0], slot_id) for slot_id in slot_ids]
        keys.append(_ledger_key(user_id))
        read = {
            "ConsistentRead": True,
            "ProjectionExpression": "#sk, #slot, #entries, #version",
            "ExpressionAttributeNames": {
                "#sk": SORT_KEY,
                "#slot": "slot_id",
                "#entries": "entries",
                "#version": "version",
            },
        }
        items: list[dict] = []
        for first in range(0, len(keys), BATCH_GET_KEYS):
            items += self._batch_get(read | {"Keys": keys[first : first + BATCH_GET_KEYS]})
        booked = {item["slot_id"]["S"] for item in items if "slot_id" in item}
        ledger = next((i for i in items if i[SORT_KEY]["S"] == LEDGER_SORT_KEY), None)
        return booked, _ledger(ledger)

    def _batch_get(self, request: dict) -> list[dict]:
        """The items of one BatchGetItem request, asking again for the keys DynamoDB returns
        unprocessed (after a jittered exponential pause, as AWS advises) a bounded number of
        times."""
        items: list[dict] = []
        for attempt in range(BATCH_GET_ROUNDS):
            if attempt:
                time.sleep(random.uniform(0, 0.025 * 2**attempt))
            response = self.client.batch_get_item(RequestItems={self.table_name: request})
            items += response["Responses"].get(self.table_name, [])
            unprocessed = response.get("UnprocessedKeys", {}).get(self.table_name)
            if not unprocessed or not unprocessed.get("Keys"):
                return items
            request = request | {"Keys": unprocessed["Keys"]}
        raise BookingBusy("The bookings table is busy; nothing was booked. Try again.")

    def save_ledger(
        self, user_id: str, entries: dict[str, Reservation], expected_version: int
    ) -> None:
        """Replace the caller's entries, if the ledger is still at `expected_version`."""
        if expected_version:
            condition, values = "#version = :expected", {":expected": {"N": str(expected_version)}}
        else:
            condition, values = "attribute_not_exists(#version)", {}
        last_day = max((r.booking.date for r in entries.values()), default=None)
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=_ledger_key(user_id),
                UpdateExpression="SET #entries = :entries, #version = :next, #ttl = :ttl",
                ConditionExpression=condition,
                ExpressionAttributeNames={
                    "#entries": "entries",
                    "#version": "version",
                    "#ttl": TTL_ATTRIBUTE,
                },
                ExpressionAttributeValues=values
                | {
                    ":entries": {
                        "M": {start: _reservation_item(r) for start, r in entries.items()}
                    },
                    ":next": {"N": str(expected_version + 1)},
                    ":ttl": {"N": _expiry(last_day or dt.date.today().isoformat())},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise LedgerChanged(user_id) from exc
            raise

    def release(
        self, user_id: str, start: str, booking_id: str, restore: Reservation | None = None
    ) -> None:
        """Drop the entry at `start` if it still names `booking_id` (or, with `restore`, put
        that reservation back in its place: a move that failed returns the time to the booking
        it was replacing); otherwise leave the ledger alone (it was released already, or
        another booking holds that time now)."""
        names = {
            "#entries": "entries",
            "#start": start,
            "#booking": "booking_id",
            "#version": "version",
        }
        values = {":booking": {"S": booking_id}, ":one": {"N": "1"}}
        # The version moves too, so a reservation based on an older read cannot write the
        # released entry back.
        if restore is None:
            update = "REMOVE #entries.#start SET #version = #version + :one"
        else:
            update = "SET #entries.#start = :restore, #version = #version + :one"
            values[":restore"] = _reservation_item(restore)
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=_ledger_key(user_id),
                UpdateExpression=update,
                ConditionExpression="#entries.#start.#booking = :booking",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    # -- local inspection ------------------------------------------------------------------
    def all_bookings(self) -> list[tuple[Booking, str]]:
        """Every booking with its owner, by date and time: a Scan, for the local `patterns
        bookings` command only (no deployed function is granted Scan)."""
        pages = self.client.get_paginator("scan").paginate(
            TableName=self.table_name,
            FilterExpression="begins_with(#sk, :slot)",
            ExpressionAttributeNames={"#sk": SORT_KEY},
            ExpressionAttributeValues={":slot": {"S": "SLOT#"}},
        )
        found = [
            (_booking(item), item[USER_INDEX_PARTITION_KEY]["S"])
            for page in pages
            for item in page["Items"]
        ]
        return sorted(found, key=lambda pair: (pair[0].date, pair[0].time, pair[0].court))
