"""Pattern A, AI as a service: one model call, then plain code and a template reply."""
