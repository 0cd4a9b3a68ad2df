"""Unit tests: domain rules, tool contract and orchestration on moto-backed DynamoDB."""
