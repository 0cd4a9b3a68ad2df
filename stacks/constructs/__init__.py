"""The reusable CDK constructs the pattern stacks compose (tables, functions, API, agents)."""
