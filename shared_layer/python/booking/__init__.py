"""The tennis-court booking domain, shared by every pattern through the Lambda layer."""
