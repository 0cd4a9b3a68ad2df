"""The test suite: unit, integration and infrastructure tests, and their shared fixtures."""
