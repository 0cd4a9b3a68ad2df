"""The sessions table's key schema: one definition read by the session store, the CDK construct
and the local runtime, so the deployed table and the local one cannot drift apart."""

# "D#<sha256(caller, s1)>": one partition per (pattern, caller, session id), so a conversation
# is one Query, an id never reaches another caller's history, and the
# patterns' different history formats (Chat Completions messages for D, Responses items for
# E-G) never mix under one id.
PARTITION_KEY = "pk"
# "#meta" (sequence counter) sorts before "item#000000000001", "item#000000000002", …:
# one item per message, so no item grows with the conversation.
SORT_KEY = "sk"
TTL_ATTRIBUTE = "expires_at"  # epoch seconds; refreshed on every write to the session
