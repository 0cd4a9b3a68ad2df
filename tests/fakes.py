"""The one scripted stand-in for `openai.OpenAI` (patterns A-D and the workflow steps).

It answers `chat.completions.parse` and `chat.completions.create` from a script, in call order,
and records every request and every per-call option (the deadline's timeout and retries).
Agents (patterns E-G) are scripted with `agents.testing.ScriptedModel` instead: this fake has
another name on purpose.
"""

from __future__ import annotations

import copy
import json
from types import SimpleNamespace

import httpx2
import openai
from pydantic import BaseModel

from pattern_core.model.understanding import BookingRequest


def model_unreachable() -> openai.APIConnectionError:
    """The error the client raises when the model endpoint cannot be reached."""
    return openai.APIConnectionError(request=httpx2.Request("POST", "https://model.invalid/v1"))


def booking_request(
    intent="book", date="2026-11-25", time="15:00", **stated: object
) -> BookingRequest:
    """What the model understood (the structured output of `understand`): by default, "book
    tomorrow at 15:00"; any other field stated by name, the rest null."""
    return BookingRequest.saying(intent, date=date, time=time, **stated)


def call(name: str, **arguments) -> tuple[str, dict]:
    """One tool call in a step of tool calls: `[call("book_slot", slot_id=...)]`."""
    return (name, arguments)


class ScriptedOpenAI:
    """Each step of the script answers one call:

    - a pydantic model: the `parsed` answer of `parse` (structured output);
    - a str: the assistant's text;
    - a list of `call(...)`: the tool calls the model proposes;
    - an exception: raised instead of answering.

    A call past the end of the script fails the test.
    """

    def __init__(self, *steps, prompt_tokens: int = 100, completion_tokens: int = 20) -> None:
        self.steps = list(steps)
        self.requests: list[dict] = []
        self.options: list[dict] = []
        self.usage = SimpleNamespace(
            prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
        )
        self.chat = SimpleNamespace(
            completions=SimpleNamespace(parse=self._answer, create=self._answer)
        )

    def with_options(self, **options) -> ScriptedOpenAI:
        self.options.append(options)
        return self

    def _answer(self, **request):
        # A copy: the caller goes on appending to the messages list it sent.
        self.requests.append(copy.deepcopy(request))
        if not self.steps:
            raise AssertionError("model called more often than scripted")
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        message = SimpleNamespace(content=None, parsed=None, refusal=None, tool_calls=None)
        if isinstance(step, str):
            message.content = step
        elif isinstance(step, BaseModel):
            message.parsed = step
        else:
            message.tool_calls = [
                SimpleNamespace(
                    id=f"call_{len(self.requests)}_{i}",
                    type="function",
                    function=SimpleNamespace(name=name, arguments=json.dumps(arguments)),
                )
                for i, (name, arguments) in enumerate(step)
            ]
        return SimpleNamespace(choices=[SimpleNamespace(message=message)], usage=self.usage)
