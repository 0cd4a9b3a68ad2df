"""The bookings table's key schema: one definition read by the store, the CDK construct
and the local runtime, so the deployed table and the local one cannot drift apart."""

PARTITION_KEY = "pk"  # "DATE#2026-11-24": one partition per day, so availability is one Query
# "SLOT#2026-11-24_CourtB_1500": one item per booked slot, so a conditional put is enough to
# prevent double booking.
SORT_KEY = "sk"
USER_INDEX_NAME = "by_user"
USER_INDEX_PARTITION_KEY = "user_id"
USER_INDEX_SORT_KEY = "slot_id"
TTL_ATTRIBUTE = "expires_at"  # bookings expire 30 days after the slot
