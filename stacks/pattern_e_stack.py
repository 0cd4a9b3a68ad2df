"""Pattern E — single agent: one OpenAI Agents SDK agent runs the tool loop in one Lambda.

The same shape as pattern D (the difference is who writes the loop); more memory, because
CPU scales with it and importing the Agents SDK dominates the cold start.

AWS shape: HTTP API → 1 Lambda (+ bookings table, sessions table, OpenAI key secret, layers).
"""

from __future__ import annotations

from stacks.pattern_d_stack import AgentsSdkStack


class PatternEStack(AgentsSdkStack):
    PATTERN_ID = "E"
    DESCRIPTION = "AI orchestration patterns - E: single agent"
