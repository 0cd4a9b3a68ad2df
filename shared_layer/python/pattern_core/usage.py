"""Usage accounting for one chat turn: measured as it happens, never estimated.

`UsageMeter` is the only writer of a turn's figures: a model response, an agent run, a tool
call, a Lambda invocation, a workflow step, a state transition, or the figures a step in
another process measured (`UsageFigures`, the serialisable snapshot pattern C's state and
pattern G's specialist reports carry). A figure a pattern cannot observe (a managed agent's
internal model calls) stays `None` and is reported as `null`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel


class UsageFigures(BaseModel):
    """The model usage one process measured, as JSON that can cross to another process."""

    llm_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0


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
        prompt = getattr(usage, "prompt_tokens", None)
        completion = getattr(usage, "completion_tokens", None)
        if prompt is None:  # Responses API / Agents SDK naming
            prompt = getattr(usage, "input_tokens", 0)
            completion = getattr(usage, "output_tokens", 0)
        self._add_model(1, prompt or 0, completion or 0)

    def record_model_run(self, usage, tool_calls: Iterable[str] = ()) -> None:
        """Add one agent run's SDK-measured usage (`requests`, `input_tokens`, `output_tokens`:
        the Agents SDK's `Usage`) and the tools it ran."""
        self._add_model(usage.requests, usage.input_tokens, usage.output_tokens)
        self.tool_calls.extend(tool_calls)

    def record_tool_call(self, name: str) -> None:
        self.tool_calls.append(name)

    def record_invocations(self, count: int = 1) -> None:
        """Lambda invocations beyond the function answering /chat (a specialist, a step)."""
        self.lambda_invocations += count

    def record_state_transitions(self, count: int) -> None:
        self.state_transitions += count

    def record_step(self, name: str, ms: int) -> None:
        self.steps[name] = ms

    @contextlib.contextmanager
    def timed_step(self, name: str) -> Iterator[dict[str, int]]:
        """Time the block as the workflow step `name`; the duration (ms) is recorded, and left
        in the yielded dict under "ms", even when the block raises."""
        timing = {"ms": 0}
        started = time.perf_counter()
        try:
            yield timing
        finally:
            timing["ms"] = round((time.perf_counter() - started) * 1000)
            self.record_step(name, timing["ms"])

    def record_remote(self, figures: UsageFigures) -> None:
        """Add the model usage a step or specialist measured in another process."""
        self._add_model(figures.llm_calls, figures.input_tokens, figures.output_tokens)

    def record_managed_run(
        self, llm_calls: int | None, input_tokens: int | None, output_tokens: int | None
    ) -> None:
        """A managed agent's loop ran inside AWS: its model calls and tokens are what its trace
        reports, and `None` (not ours to see) where it reports nothing."""
        self.llm_calls, self.input_tokens, self.output_tokens = (
            llm_calls,
            input_tokens,
            output_tokens,
        )

    def unobservable_model(self) -> None:
        """The model runs inside a managed service: its calls and tokens are not ours to see."""
        self.record_managed_run(None, None, None)

    def snapshot(self) -> UsageFigures:
        """This meter's model usage, to hand to the process that answers the turn."""
        return UsageFigures(
            llm_calls=self.llm_calls or 0,
            input_tokens=self.input_tokens or 0,
            output_tokens=self.output_tokens or 0,
        )

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

    def _add_model(self, calls: int, input_tokens: int, output_tokens: int) -> None:
        self.llm_calls = (self.llm_calls or 0) + calls
        self.input_tokens = (self.input_tokens or 0) + input_tokens
        self.output_tokens = (self.output_tokens or 0) + output_tokens
