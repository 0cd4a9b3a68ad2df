"""Tool-calling assistants (D-G): instructions, tools adapter, SDK runtime, sessions, roles."""
