"""Model access: the OpenAI client within a deadline, and the understanding call (A, B, C)."""
