"""The idempotency table's names: one definition read by `pattern_core.contract.idempotency`,
the CDK construct and the local runtime (and importing nothing, so a synth does not load
Powertools' idempotency utility or boto3 to read three strings)."""

# The table's schema: DynamoDBPersistenceLayer's defaults, so the deployed and local tables
# cannot drift apart.
PARTITION_KEY = "id"
TTL_ATTRIBUTE = "expiration"
