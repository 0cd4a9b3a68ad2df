"""Integration tests: handlers end to end, the offline model, the local DynamoDB server."""
