"""The offline stand-in model's policy: given a conversation, decide the next step.

The step is either one tool call or a final reply. The policy reads the latest user message
(earlier turns, tool arguments and tool results resolve follow-ups such as "book the 3pm one"),
looks at what the tools have returned since that message, and does what a careful assistant
would: check availability before booking, book the requested slot when it is free, offer the
nearest free times when it is not, confirm only bookings that a tool result contains. It is
deterministic and never calls the same tool with the same arguments twice in one turn.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from . import replies
from .language import UserRequest, find_today, merge_follow_up, parse_request
from .schema_fill import fill_schema, known_value
from .toolbox import (
    ToolRole,
    ToolSpec,
    arguments_for,
    domain_tool,
    free_text_parameter,
    role_of,
    route_for,
)

MAX_TOOL_CALLS_PER_TURN = 6
MAX_BOOK_ATTEMPTS_PER_TURN = 2


@dataclass(frozen=True)
class Message:
    role: str  # system, developer, user or assistant
    text: str


@dataclass(frozen=True)
class ToolCall:
    call_id: str
    name: str
    arguments: Mapping[str, Any]


@dataclass(frozen=True)
class ToolResult:
    call_id: str
    output: str


Item = Message | ToolCall | ToolResult


@dataclass(frozen=True)
class Conversation:
    """Everything one model request carries, in wire-format-neutral form."""

    items: Sequence[Item]
    tools: Sequence[ToolSpec] = ()
    output_schema: Mapping[str, Any] | None = None
    json_output: bool = False


@dataclass(frozen=True)
class CallTool:
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Reply:
    text: str


Decision = CallTool | Reply


@dataclass(frozen=True)
class Outcome:
    """One tool call made since the latest user message, with its parsed result."""

    name: str
    arguments: Mapping[str, Any]
    role: ToolRole
    result: Any = None


def decide(conversation: Conversation) -> Decision:
    """The next step for this conversation: one tool call, or the final reply."""
    items = list(conversation.items)
    today = find_today(item.text for item in items if isinstance(item, Message))
    last_user = max((i for i, it in enumerate(items) if _is_user(it)), default=-1)
    earlier = _context(items[: max(last_user, 0)], today)
    latest = parse_request(items[last_user].text, today) if last_user >= 0 else UserRequest()
    request = merge_follow_up(latest, earlier)
    outcomes = _outcomes(items[last_user + 1 :], conversation.tools)

    turn = Turn(request, outcomes, list(conversation.tools), today)
    if conversation.tools:
        step = turn.next_step()
    else:
        facts = facts_in(items[last_user].text) if last_user >= 0 else None
        rendered = replies.render_facts(facts, None) if facts else None
        step = Reply(rendered or replies.capabilities_reply())
    if isinstance(step, CallTool):
        return step
    return Reply(_final_text(step.text, turn, conversation))


@dataclass
class Turn:
    """The work since the latest user message, and the rules for what to do next."""

    request: UserRequest
    outcomes: list[Outcome]
    tools: list[ToolSpec]
    today: date

    def next_step(self) -> Decision:
        if len(self.outcomes) >= MAX_TOOL_CALLS_PER_TURN:
            return Reply(self.summary())
        if self.outcomes and self.outcomes[-1].role.kind == "agent":
            return Reply(_agent_answer(self.outcomes[-1].result, self.request))
        intent = self.request.intent
        if intent == "other":
            return Reply(replies.capabilities_reply())
        if domain_tool(self.tools, intent) is None and (route := route_for(self.tools, intent)):
            return self.route(route)
        return {
            "check_availability": self.check,
            "book": self.book,
            "list_bookings": self.list_bookings,
            "cancel": self.cancel,
        }[intent]()

    def check(self) -> Decision:
        day, time = self.request.date or self.today.isoformat(), self.request.time
        if error := self.latest_error():
            return Reply(replies.error_reply(error))
        found = self.availability(day, time)
        if found is None:
            return self.call("check_availability", date=day, time=time)
        if time and not replies.matching_slots(found, self.request):
            whole_day = self.availability(day, None)
            if whole_day is None:
                return self.call("check_availability", date=day, time=None)
            found = whole_day
        return Reply(replies.availability_reply(day, found, self.request))

    def book(self) -> Decision:
        request, day, time = self.request, self.request.date, self.request.time
        if booking := self.latest("booking"):
            return Reply(replies.booked_reply(booking))
        if day is None:
            return Reply(replies.ask_for_day())
        if error := self.latest_error():
            return self.after_booking_error(error)
        if time is None:
            found = self.availability(day, None)
            if found is None:
                return self.call("check_availability", date=day, time=None)
            return Reply(replies.options_reply(day, found, request))
        found = self.availability(day, time)
        if found is None and domain_tool(self.tools, "check_availability") is None:
            court = request.court or "Court A"
            return self.call("book", slot_id=_slot_id(day, court, time), date=day, time=time)
        if found is None:
            return self.call("check_availability", date=day, time=time)
        free_now = [s for s in found if replies.slot_fields(s).get("time") == time]
        if free_now:
            preferred = [
                s for s in free_now if replies.slot_fields(s).get("court") == request.court
            ]
            return self.book_slot((preferred or free_now)[0])
        whole_day = self.availability(day, None)
        if whole_day is None:
            return self.call("check_availability", date=day, time=None)
        return Reply(replies.full_reply(day, time, whole_day))

    def after_booking_error(self, error: Mapping[str, Any]) -> Decision:
        alternatives = list(error.get("alternatives") or [])
        tried = {o.arguments.get("slot_id") for o in self.outcomes if o.role.operation == "book"}
        same_time = [
            s
            for s in alternatives
            if replies.slot_fields(s).get("time") == self.request.time
            and s.get("slot_id") not in tried
        ]
        if (
            error.get("code") == "slot_taken"
            and same_time
            and len(tried) < MAX_BOOK_ATTEMPTS_PER_TURN
        ):
            return self.book_slot(same_time[0])
        if not alternatives and self.request.date and self.request.time:
            whole_day = self.availability(self.request.date, None) or []
            alternatives = replies.nearest_slots(whole_day, self.request.time)
        return Reply(replies.error_reply(error, alternatives))

    def book_slot(self, slot: Mapping[str, Any]) -> Decision:
        fields = replies.slot_fields(slot)
        return self.call("book", slot_id=slot.get("slot_id"), **fields)

    def list_bookings(self) -> Decision:
        if (bookings := self.latest("bookings")) is not None:
            return Reply(replies.bookings_reply(bookings))
        if error := self.latest_error():
            return Reply(replies.error_reply(error))
        return self.call("list_bookings")

    def cancel(self) -> Decision:
        request = self.request
        if cancelled := self.latest("cancelled"):
            return Reply(replies.cancelled_reply(cancelled))
        if error := self.latest_error():
            return Reply(replies.error_reply(error))
        if request.booking_id:
            return self.call("cancel", booking_id=request.booking_id)
        bookings = self.latest("bookings")
        if bookings is None:
            if domain_tool(self.tools, "list_bookings") is None:
                return Reply("Which booking should I cancel? Please give me its booking id.")
            return self.call("list_bookings")
        matches = [b for b in bookings if _booking_matches(b, request)]
        if len(matches) == 1:
            return self.call("cancel", booking_id=matches[0].get("booking_id"))
        if not matches:
            return Reply(f"I couldn't find a booking like that. {replies.bookings_reply(bookings)}")
        return Reply(replies.ambiguous_reply(matches))

    def route(self, tool: ToolSpec) -> Decision:
        """Pass the request on: a handoff, or an agent tool given a self-contained instruction."""
        parameter = free_text_parameter(tool)
        if role_of(tool).kind == "agent" and parameter:
            return self.propose(tool, {parameter: instruction_for(self.request, self.today)})
        return self.propose(tool, arguments_for(tool, self.known_values()))

    def call(self, operation: str, **values: Any) -> Decision:
        tool = domain_tool(self.tools, operation)  # type: ignore[arg-type]
        if tool is None:
            return Reply(self.summary(f"I can't {operation.replace('_', ' ')} here."))
        return self.propose(tool, arguments_for(tool, {**self.known_values(), **values}))

    def propose(self, tool: ToolSpec, arguments: dict[str, Any]) -> Decision:
        repeated = any(o.name == tool.name and o.arguments == arguments for o in self.outcomes)
        return Reply(self.summary()) if repeated else CallTool(tool.name, arguments)

    def known_values(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self.request).items() if k != "is_follow_up"}

    def latest(self, key: str) -> Any:
        for outcome in reversed(self.outcomes):
            if isinstance(outcome.result, Mapping) and outcome.result.get(key) is not None:
                return outcome.result[key]
        return None

    def latest_error(self) -> Mapping[str, Any] | None:
        """The error of the last tool call, if it failed."""
        result = self.outcomes[-1].result if self.outcomes else None
        error = result.get("error") if isinstance(result, Mapping) else None
        return error if isinstance(error, Mapping) else None

    def availability(self, day: str, time: str | None) -> list[Mapping[str, Any]] | None:
        """Free slots from the latest availability result covering `day` (and `time`)."""
        for outcome in reversed(self.outcomes):
            result = outcome.result
            if not isinstance(result, Mapping) or not isinstance(result.get("free_slots"), list):
                continue
            result_day = result.get("date") or outcome.arguments.get("date")
            result_time = result.get("time") if "time" in result else outcome.arguments.get("time")
            if result_day == day and result_time in (None, time):
                return result["free_slots"]
        return None

    def summary(self, fallback: str = "Sorry, I couldn't complete that request.") -> str:
        """The last facts a tool gave this turn, rendered; for when the policy must stop."""
        for outcome in reversed(self.outcomes):
            if isinstance(outcome.result, Mapping):
                rendered = replies.render_facts(outcome.result, self.request)
                if rendered:
                    return rendered
        return fallback


def instruction_for(request: UserRequest, today: date) -> str:
    """A self-contained instruction for a specialist agent: follow-ups resolved, dates absolute."""
    checking = request.intent == "check_availability"
    day = request.date or (today.isoformat() if checking else None)
    when = f" on {day}" if day else ""
    if request.time:
        when += f" at {request.time}"
    elif request.part_of_day:
        when += f" {request.part_of_day}"
    court = f" for {request.court}" if request.court else ""
    if checking:
        return f"Check availability{when}{court}"
    if request.intent == "book":
        return f"Book {request.court or 'a court'}{when}"
    if request.intent == "list_bookings":
        return "List my bookings"
    if request.intent == "cancel":
        if request.booking_id:
            return f"Cancel booking {request.booking_id}"
        return f"Cancel my booking{when}{court}"
    return "Help the user with tennis court bookings"


def facts_in(text: str) -> dict[str, Any] | None:
    """The first JSON object in `text` that carries booking facts, if any."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            value, _ = decoder.raw_decode(text, start)
        except ValueError:
            value = None
        if isinstance(value, dict) and any(key in value for key in replies.FACT_KEYS):
            return value
        start = text.find("{", start + 1)
    return None


def parse_tool_output(output: str) -> Any:
    """A tool result as data: JSON, else a Python literal (the Agents SDK `str()`s dicts)."""
    for parse in (json.loads, ast.literal_eval):
        try:
            return parse(output)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    return output


def _final_text(text: str, turn: Turn, conversation: Conversation) -> str:
    if conversation.output_schema is None and not conversation.json_output:
        return text
    values: dict[str, Any] = {**turn.known_values(), "reply": text}
    for key in ("booking", "bookings", "cancelled", "free_slots"):
        if (found := turn.latest(key)) is not None:
            values[key] = found
    request = turn.request
    if request.date and request.time and request.court:
        values.setdefault("slot_id", _slot_id(request.date, request.court, request.time))
    if conversation.output_schema is None:
        return json.dumps(values)
    return json.dumps(fill_schema(conversation.output_schema, values))


def _agent_answer(result: Any, request: UserRequest) -> str:
    if isinstance(result, Mapping):
        return replies.render_facts(result, request) or json.dumps(result)
    return str(result)


def _context(items: Sequence[Item], today: date) -> UserRequest:
    """What earlier turns established: their requests, tool arguments and tool results."""
    context = UserRequest()
    for item in items:
        if _is_user(item):
            context = merge_follow_up(parse_request(item.text, today), context)
        elif isinstance(item, ToolCall):
            context = _with_facts(context, item.arguments)
        elif isinstance(item, ToolResult):
            result = parse_tool_output(item.output)
            if isinstance(result, Mapping):
                facts = result.get("booking") or result
                context = _with_facts(context, facts if isinstance(facts, Mapping) else {})
    return context


def _with_facts(context: UserRequest, facts: Mapping[str, Any]) -> UserRequest:
    fields = replies.slot_fields(facts) if facts.get("slot_id") else {}
    updates = {
        "date": known_value("date", facts) or fields.get("date"),
        "time": known_value("time", facts) or fields.get("time"),
        "court": known_value("court", facts) or fields.get("court"),
        "booking_id": known_value("booking_id", facts),
    }
    kept = {k: v for k, v in updates.items() if isinstance(v, str) and v}
    return UserRequest(**{**asdict(context), **kept})


def _outcomes(items: Sequence[Item], tools: Sequence[ToolSpec]) -> list[Outcome]:
    specs = {tool.name: tool for tool in tools}
    results = {it.call_id: it.output for it in items if isinstance(it, ToolResult)}
    return [
        Outcome(
            name=it.name,
            arguments=dict(it.arguments),
            role=role_of(specs.get(it.name, ToolSpec(it.name))),
            result=parse_tool_output(results[it.call_id]) if it.call_id in results else None,
        )
        for it in items
        if isinstance(it, ToolCall)
    ]


def _booking_matches(booking: Mapping[str, Any], request: UserRequest) -> bool:
    fields = replies.slot_fields(booking)
    wanted = {"date": request.date, "time": request.time, "court": request.court}
    return all(value is None or fields.get(key) == value for key, value in wanted.items())


def _slot_id(day: str, court: str, time: str) -> str:
    return f"{day}_{court.replace(' ', '')}_{time.replace(':', '')}"


def _is_user(item: Item) -> bool:
    return isinstance(item, Message) and item.role == "user"
