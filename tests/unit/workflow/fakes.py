"""A scripted stand-in for `openai.OpenAI` covering the two calls the workflow makes:
`chat.completions.parse` (understand) and `chat.completions.create` (write the reply)."""

from __future__ import annotations

from types import SimpleNamespace

import httpx2
import openai


def model_unreachable() -> openai.APIConnectionError:
    return openai.APIConnectionError(request=httpx2.Request("POST", "https://model.invalid/v1"))


class ScriptedModel:
    """Answers are given in call order: a `BookingRequest` for parse, a str for create, or an
    exception to raise. Every request is recorded."""

    def __init__(self, *answers, prompt_tokens: int = 100, completion_tokens: int = 20) -> None:
        self.answers = list(answers)
        self.requests: list[dict] = []
        self.usage = SimpleNamespace(
            prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
        )
        self.chat = SimpleNamespace(
            completions=SimpleNamespace(parse=self._answer, create=self._answer)
        )
        self.options: list[dict] = []  # per-call options (timeout, retries) from the deadline

    def with_options(self, **options):
        self.options.append(options)
        return self

    def _answer(self, **request):
        self.requests.append(request)
        if not self.answers:
            raise AssertionError("model called more often than scripted")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, str):
            message = SimpleNamespace(content=answer, parsed=None, refusal=None)
        else:
            message = SimpleNamespace(content=None, parsed=answer, refusal=None)
        return SimpleNamespace(choices=[SimpleNamespace(message=message)], usage=self.usage)
