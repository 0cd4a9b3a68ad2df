"""Usage accounting for one chat turn: measured as it happens, never estimated.

A figure a pattern cannot observe (a managed agent's internal model calls) stays `None` and is
reported as `null`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class UsageMeter:
    llm_calls: int | None = 0
    tool_calls: list[str] = field(default_factory=list)
    input_tokens: int | None = 0
    output_tokens: int | None = 0
    lambda_invocations: int = 1  # the function answering /chat
    state_transitions: int = 0
    steps: dict[str, int] = field(default_factory=dict)  # per-step duration (ms), workflows only
    _started: float = field(default_factory=time.perf_counter, repr=False)

    def record_model_call(self, usage) -> None:
        """Count one model response; `usage` is the API's own usage object (either API shape)."""
        self.llm_calls = (self.llm_calls or 0) + 1
        if usage is None:
            return
        prompt = getattr(usage, "prompt_tokens", None)
        completion = getattr(usage, "completion_tokens", None)
        if prompt is None:  # Responses API / Agents SDK naming
            prompt = getattr(usage, "input_tokens", 0)
            completion = getattr(usage, "output_tokens", 0)
        self.input_tokens = (self.input_tokens or 0) + (prompt or 0)
        self.output_tokens = (self.output_tokens or 0) + (completion or 0)

    def record_tool_call(self, name: str) -> None:
        self.tool_calls.append(name)

    def unobservable_model(self) -> None:
        """The model runs inside a managed service: its calls and tokens are not ours to see."""
        self.llm_calls = None
        self.input_tokens = None
        self.output_tokens = None

    def elapsed_ms(self) -> int:
        return round((time.perf_counter() - self._started) * 1000)

    def as_dict(self) -> dict:
        body = {
            "llm_calls": self.llm_calls,
            "tool_calls": list(self.tool_calls),
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "lambda_invocations": self.lambda_invocations,
            "state_transitions": self.state_transitions,
            "duration_ms": self.elapsed_ms(),
        }
        if self.steps:
            body["steps_ms"] = dict(self.steps)
        return body
