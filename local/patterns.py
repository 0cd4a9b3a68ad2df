"""The patterns the local runtime can run: id → the deployed handler, and how it differs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from local import bedrock_simulation, pattern_g_setup
from local.step_functions import setup_pattern_c

if TYPE_CHECKING:
    from local.runtime import LocalRuntime


@dataclass(frozen=True)
class PatternSpec:
    id: str
    name: str
    handler: str  # "module:function" of the Lambda behind POST /chat, as deployed
    who_decides: str
    # Plays the AWS services this pattern's handler calls besides DynamoDB (other Lambdas,
    # Step Functions, Bedrock) — registered on the runtime when it starts.
    local_setup: Callable[[LocalRuntime], None] | None = field(default=None, compare=False)
    # Said on every local run when something besides the model is a stand-in (H: Bedrock).
    local_note: str | None = field(default=None, compare=False)


PATTERNS: dict[str, PatternSpec] = {
    spec.id: spec
    for spec in (
        PatternSpec(
            "A",
            "AI as a service",
            "pattern_a.handler:handler",
            "your code; the LLM only parses the message (1 call)",
        ),
        PatternSpec(
            "B",
            "workflow, one process",
            "pattern_b.handler:handler",
            "a fixed sequence of steps in one Lambda; the LLM works inside two of them",
        ),
        PatternSpec(
            "C",
            "workflow, multi-process",
            "pattern_c.handler:handler",
            "the same fixed steps as an Express Step Functions state machine of Lambdas",
            local_setup=setup_pattern_c,
        ),
        PatternSpec(
            "D",
            "function calling",
            "pattern_d.handler:handler",
            "the LLM proposes tool calls; your loop executes them, bounded",
        ),
        PatternSpec(
            "E",
            "single agent",
            "pattern_e.handler:handler",
            "an OpenAI Agents SDK agent runs the tool loop (max_turns bounded)",
        ),
        PatternSpec(
            "F",
            "multi-agent, one process",
            "pattern_f.handler:handler",
            "a manager agent routes to specialist agents (agents-as-tools) in one Lambda",
        ),
        PatternSpec(
            "G",
            "multi-agent, multi-process",
            "pattern_g.handler:handler",
            "a manager agent whose tools invoke specialist agent Lambdas",
            local_setup=pattern_g_setup.setup,
        ),
        PatternSpec(
            "H",
            "managed agent",
            "pattern_h.handler:handler",
            "an Amazon Bedrock Agent runs the loop and calls your action-group Lambda",
            local_setup=bedrock_simulation.setup,
            local_note=bedrock_simulation.SIMULATION_LABEL,
        ),
    )
}


def pattern(key: str) -> PatternSpec:
    spec = PATTERNS.get(key.upper())
    if spec is None:
        raise KeyError(f"unknown pattern {key!r}; available: {', '.join(PATTERNS)}")
    return spec
