"""The CDK stacks: one per pattern, composed from `stacks.pattern_stack` and `constructs/`."""
