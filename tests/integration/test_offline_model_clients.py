"""The offline stand-in model driven by the real clients: `openai.OpenAI` and the Agents SDK.

Tools run for real against the booking service (in-memory store), so every assertion is about
an outcome: which tool ran with which arguments, what was stored, what the user is told, and
that the usage each response reports adds up.
"""

from __future__ import annotations

import json

import pytest
from agents import (
    Agent,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    RunConfig,
    Runner,
    function_tool,
    set_tracing_disabled,
)
from openai import AsyncOpenAI, OpenAI

from booking.effects import TurnEffects
from booking.tools import TOOLS, TOOLS_BY_NAME
from local.offline_model import start_offline_model
from pattern_core.model.understanding import BookingRequest, understand
from pattern_core.usage import UsageMeter
from tests.utils import owners

TARGET_SLOT = "2026-11-25_CourtB_1500"


@pytest.fixture(scope="module")
def model_server():
    with start_offline_model() as server:
        yield server


@pytest.fixture
def client(model_server) -> OpenAI:
    return OpenAI(base_url=model_server.base_url, api_key="offline", max_retries=0)


@pytest.fixture
def async_client(model_server) -> AsyncOpenAI:
    return AsyncOpenAI(base_url=model_server.base_url, api_key="offline", max_retries=0)


@pytest.fixture(autouse=True)
def _no_tracing():
    set_tracing_disabled(True)


class ToolLog:
    """Runs the project's tools for one user and remembers every call."""

    def __init__(self, service, user_id: str = "alice") -> None:
        self.service, self.user_id = service, user_id
        self.calls: list[tuple[str, dict]] = []
        self.effects = TurnEffects()  # one turn's write budget

    def run(self, name: str, arguments: dict) -> str:
        self.calls.append((name, arguments))
        tool = TOOLS_BY_NAME[name]
        return json.dumps(tool.invoke(self.service, self.user_id, arguments, effects=self.effects))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def function_tools(self) -> list:
        @function_tool
        def check_availability(date: str, time: str | None = None) -> str:
            """List free court slots on a day.

            Args:
                date: Day to check, YYYY-MM-DD.
                time: Only slots starting at this time (HH:MM), or null for the whole day.
            """
            return self.run("check_availability", {"date": date, "time": time})

        @function_tool
        def book_slot(slot_id: str) -> str:
            """Book one free slot for the current user.

            Args:
                slot_id: The slot to book, exactly as returned by check_availability.
            """
            return self.run("book_slot", {"slot_id": slot_id})

        return [check_availability, book_slot]


def test_chat_completions_parse_fills_the_projects_booking_request(client, schedule):
    usage = UsageMeter()

    parsed = understand(client, "offline-stand-in", schedule, "Book court b tomorrow at 3pm", usage)

    assert parsed == BookingRequest(
        intent="book",
        date="2026-11-25",
        time="15:00",
        part_of_day=None,
        court="Court B",
        booking_id=None,
        slot_preference=None,
    )
    assert usage.llm_calls == 1 and usage.input_tokens > 0 and usage.output_tokens > 0


def test_a_chat_completions_tool_loop_books_the_requested_slot(client, schedule, service, store):
    tools = ToolLog(service)
    messages: list[dict] = [
        {"role": "system", "content": f"You book tennis courts. {schedule.describe_today()}"},
        {"role": "user", "content": "Please book Court B tomorrow at 3pm"},
    ]
    prompt_sizes: list[int] = []

    for _ in range(6):
        completion = client.chat.completions.create(
            model="offline-stand-in",
            messages=messages,
            tools=[tool.chat_completions_schema() for tool in TOOLS],
        )
        usage = completion.usage
        assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
        prompt_sizes.append(usage.prompt_tokens)
        message = completion.choices[0].message
        if not message.tool_calls:
            break
        messages.append(message.model_dump(exclude_none=True))
        for call in message.tool_calls:
            result = tools.run(call.function.name, json.loads(call.function.arguments))
            messages.append({"role": "tool", "tool_call_id": call.id, "content": result})

    # The project's contract books a described slot in one call: no availability round trip.
    described = {"slot_id": None, "date": "2026-11-25", "time": "15:00", "court": "Court B"}
    assert tools.calls == [("book_slot", {**described, "part_of_day": None, "position": None})]
    assert owners(store).get(TARGET_SLOT) == "alice"
    assert completion.choices[0].finish_reason == "stop"
    assert f"Your booking id is {TARGET_SLOT}." in message.content
    assert prompt_sizes == sorted(prompt_sizes) and len(set(prompt_sizes)) == 2


def test_a_full_time_is_reported_with_the_nearest_free_times_and_nothing_is_booked(
    client, schedule, service, store
):
    for court in ("CourtA", "CourtB", "CourtC"):
        service.book(f"2026-11-25_{court}_1500", f"player-{court}")
    tools = ToolLog(service)
    input_items: list = [{"role": "user", "content": "Book tomorrow at 3pm"}]

    for _ in range(6):
        response = client.responses.create(
            model="offline-stand-in",
            instructions=schedule.describe_today(),
            input=input_items,
            tools=[
                {"type": "function", **tool.chat_completions_schema()["function"]} for tool in TOOLS
            ],
        )
        calls = [item for item in response.output if item.type == "function_call"]
        if not calls:
            break
        for call in calls:
            result = tools.run(call.name, json.loads(call.arguments))
            input_items += [
                call.model_dump(exclude_none=True),
                {"type": "function_call_output", "call_id": call.call_id, "output": result},
            ]

    assert tools.names() == ["book_slot"]  # refused with the nearest free slots
    assert response.output_text.startswith("Sorry, 15:00 on Wed 25 Nov is fully booked.")
    assert "14:00 (Court A, Court B, Court C), 16:00 (Court A, Court B, Court C)" in (
        response.output_text
    )
    assert store.bookings_of("alice") == []
    usage = response.usage
    assert usage.input_tokens > 0 and usage.total_tokens == usage.input_tokens + usage.output_tokens


@pytest.mark.parametrize("model_class", [OpenAIResponsesModel, OpenAIChatCompletionsModel])
def test_an_agents_sdk_agent_books_through_its_function_tools(
    async_client, schedule, service, store, model_class
):
    tools = ToolLog(service)
    agent = Agent(
        name="Court booker",
        instructions=f"You book tennis courts. {schedule.describe_today()}",
        tools=tools.function_tools(),
        model=model_class(model="offline-stand-in", openai_client=async_client),
    )

    result = Runner.run_sync(agent, "Book Court B tomorrow at 3pm")

    assert tools.calls == [
        ("check_availability", {"date": "2026-11-25", "time": "15:00"}),
        ("book_slot", {"slot_id": TARGET_SLOT}),
    ]
    assert owners(store).get(TARGET_SLOT) == "alice"
    assert result.final_output.startswith("Booked: Court B on Wed 25 Nov at 15:00.")
    usage = result.context_wrapper.usage
    assert usage.requests == 3
    assert usage.input_tokens > 0 and usage.output_tokens > 0
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens


def test_a_follow_up_in_the_next_turn_books_the_time_it_names(async_client, schedule, service):
    tools = ToolLog(service)
    agent = Agent(
        name="Court booker",
        instructions=schedule.describe_today(),
        tools=tools.function_tools(),
        model=OpenAIResponsesModel(model="offline-stand-in", openai_client=async_client),
    )

    first = Runner.run_sync(agent, "What's free tomorrow afternoon?")
    second = Runner.run_sync(agent, [*first.to_input_list(), _user("Book the 3pm one")])

    assert first.final_output.startswith("Free on Wed 25 Nov in the afternoon: 14:00")
    assert tools.calls[-1] == ("book_slot", {"slot_id": "2026-11-25_CourtA_1500"})
    assert "Booked: Court A on Wed 25 Nov at 15:00." in second.final_output


@pytest.mark.parametrize("nest_history", [False, True])
def test_a_triage_agent_hands_off_to_the_specialist_that_fits(
    async_client, schedule, service, store, nest_history
):
    tools = ToolLog(service)
    model = OpenAIResponsesModel(model="offline-stand-in", openai_client=async_client)
    today = schedule.describe_today()
    availability = Agent(
        name="Availability agent",
        instructions=today,
        handoff_description="Answers which courts are free.",
        tools=tools.function_tools()[:1],
        model=model,
    )
    booking = Agent(
        name="Booking agent",
        instructions=today,
        handoff_description="Books courts.",
        tools=tools.function_tools(),
        model=model,
    )
    triage = Agent(name="Triage", instructions=today, handoffs=[availability, booking], model=model)
    config = RunConfig(nest_handoff_history=nest_history)

    booked = Runner.run_sync(triage, "Book Court B tomorrow at 3pm", run_config=config)
    checked = Runner.run_sync(triage, "Is anything free tomorrow morning?", run_config=config)

    assert booked.last_agent is booking
    assert owners(store).get(TARGET_SLOT) == "alice"
    assert booked.final_output.startswith("Booked: Court B on Wed 25 Nov at 15:00.")
    assert checked.last_agent is availability
    assert checked.final_output == (
        "Free on Wed 25 Nov in the morning: 09:00 (Court A, Court B, Court C), "
        "10:00 (Court A, Court B, Court C), 11:00 (Court A, Court B, Court C)."
    )


def test_a_manager_passes_a_self_contained_instruction_to_an_agent_tool(
    async_client, schedule, service, store
):
    tools = ToolLog(service)
    model = OpenAIResponsesModel(model="offline-stand-in", openai_client=async_client)
    booking = Agent(
        name="Booking agent", instructions="Book courts.", tools=tools.function_tools(), model=model
    )
    manager = Agent(
        name="Manager",
        instructions=schedule.describe_today(),
        tools=[booking.as_tool(tool_name="booking_agent", tool_description="Books courts.")],
        model=model,
    )

    result = Runner.run_sync(manager, "Book court B tomorrow at 3pm")

    (call,) = [item.raw_item for item in result.new_items if item.type == "tool_call_item"]
    assert json.loads(call.arguments) == {"input": "Book Court B on 2026-11-25 at 15:00"}
    assert owners(store).get(TARGET_SLOT) == "alice"
    assert result.final_output.startswith("Booked: Court B on Wed 25 Nov at 15:00.")


def _user(text: str) -> dict:
    return {"role": "user", "content": text}
