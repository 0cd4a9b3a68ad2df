"""Pattern B — workflow, one process: a fixed sequence of steps inside one Lambda.

understand (LLM) → find slots → choose slot → book → write reply (LLM), in that order, in one
function: the model works inside two steps and never picks the next one. Its neighbour,
pattern C, deploys the very same steps as one Lambda each behind an Express state machine.

AWS shape: HTTP API → 1 Lambda (+ bookings table, OpenAI key secret, two layers) — the same
resources as pattern A; only the code differs.
"""

from __future__ import annotations

from stacks.chat_function_stack import ChatFunctionStack


class PatternBStack(ChatFunctionStack):
    PATTERN_ID = "B"
    DESCRIPTION = "AI orchestration patterns - B: workflow, one process"
