"""Pattern A — AI as a service: your code owns the flow, the model only parses text.

One Lambda behind the chat API makes a single structured-output call that turns the message
into a booking request; from there plain code decides everything. Its neighbour, pattern B,
runs the same steps as an explicit workflow in one Lambda and lets the model write the reply.

AWS shape: HTTP API → 1 Lambda (+ bookings table, OpenAI key secret, two layers).
"""

from __future__ import annotations

from stacks.chat_function_stack import ChatFunctionStack


class PatternAStack(ChatFunctionStack):
    PATTERN_ID = "A"
    DESCRIPTION = "AI orchestration patterns - A: AI as a service"
