"""Pattern F — multi-agent, one process: a manager agent and its specialists in one Lambda.

The same shape as patterns D and E: the manager and both specialists share one function, one
role and one set of grants. Pattern G splits them into three functions.

AWS shape: HTTP API → 1 Lambda (+ bookings table, sessions table, OpenAI key secret, layers).
"""

from __future__ import annotations

from stacks.pattern_d_stack import AgentsSdkStack


class PatternFStack(AgentsSdkStack):
    PATTERN_ID = "F"
    DESCRIPTION = "AI orchestration patterns - F: multi-agent, one process"
