"""The HTTP contract every pattern serves: turn and outcome, identity, idempotency, resolver."""
