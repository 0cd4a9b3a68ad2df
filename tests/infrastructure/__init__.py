"""Infrastructure tests: every stack's template, cdk-nag, and the template snapshots."""
