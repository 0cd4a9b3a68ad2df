"""The offline stand-in model's policy: given a conversation, decide the next step.

The step is either one tool call or a final reply. The policy reads the latest user message
(earlier turns, tool arguments and tool results resolve follow-ups such as "book the 3pm one"),
looks at what the tools have returned since that message, and does what a careful assistant
would: book a described slot in one call when the tool contract takes a description (day and
time, part of day, position among the free slots), else check availability first and book
the slot chosen from it; move a booking (book the new slot, then cancel the old); offer the
nearest free slot when a time is full; confirm only bookings that a tool result contains. It
is deterministic and never calls the same tool with the same arguments twice in one turn.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from . import replies
from .language import (
    BOOKING_ID,
    SLOT_ID,
    UserRequest,
    court_named,
    find_today,
    merge_follow_up,
    parse_request,
)
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
        # No tools: the reply step of a workflow (B, C), where each message stands alone
        rendered = replies.render_facts(facts, None, standalone=True) if facts else None
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
        wanted = "book" if intent == "move" else intent
        if domain_tool(self.tools, wanted) is None and (route := route_for(self.tools, intent)):
            return self.route(route)
        return {
            "check_availability": self.check,
            "book": self.book,
            "move": self.move,
            "list_bookings": self.list_bookings,
            "cancel": self.cancel,
        }[intent]()

    def check(self) -> Decision:
        request = self.request
        day, time, part = request.date or self.today.isoformat(), request.time, request.part_of_day
        if error := self.latest_error():
            return Reply(replies.error_reply(error))
        found = self.availability(day, time, part)
        if found is None:
            return self.call("check_availability", date=day, time=time, part_of_day=part)
        if time and not replies.matching_slots(found, request):
            whole_day = self.availability(day, None, None)
            if whole_day is None:
                return self.call("check_availability", date=day, time=None, part_of_day=None)
            found = whole_day
        return Reply(replies.availability_reply(day, found, request))

    def book(self) -> Decision:
        request, day = self.request, self.request.date
        if booking := self.latest("booking"):
            return Reply(replies.booked_reply(booking))
        if error := self.latest_error():
            return self.after_booking_error(error)
        if request.slot_id:
            # "Yes please" to the slot an earlier reply offered, "the second one" of those it
            # listed, or a slot id said outright.
            return self.call("book", **_BY_ID, slot_id=request.slot_id)
        if day is None:
            return Reply(replies.ask_for_day(self.today))
        if self.books_by_description() and request.names_slot():
            # The contract chooses among the free slots: one call, no availability round trip.
            return self.call("book", **self.description())
        return self.book_from_availability()

    def book_from_availability(self) -> Decision:
        """Check the day (or the time), then book the slot the request describes."""
        request, day, time = self.request, self.request.date or "", self.request.time
        if not request.names_slot() or (request.court and not time and not request.position):
            found = self.availability(day, None, None)
            if found is None:
                return self.call("check_availability", date=day, time=None, part_of_day=None)
            if request.part_of_day and not request.court:
                return self.choose(found)
            return Reply(replies.options_reply(day, found, request))
        if time is None:
            found = self.availability(day, None, None)
            if found is None:
                return self.call("check_availability", date=day, time=None, part_of_day=None)
            return self.choose(found)
        found = self.availability(day, time, None)
        if found is None and domain_tool(self.tools, "check_availability") is None:
            court = request.court or replies.schedule().courts[0]
            return self.call("book", slot_id=_slot_id(day, court, time), date=day, time=time)
        if found is None:
            return self.call("check_availability", date=day, time=time, part_of_day=None)
        if [s for s in found if replies.slot_fields(s).get("time") == time]:
            return self.choose(found)
        whole_day = self.availability(day, None, None)
        if whole_day is None:
            return self.call("check_availability", date=day, time=None, part_of_day=None)
        return Reply(replies.full_reply(day, time, whole_day))

    def choose(self, found: list[Mapping[str, Any]]) -> Decision:
        """Book the slot the request describes among free slots (time, court order)."""
        request = self.request
        candidates = replies.matching_slots(found, request)
        if request.court:  # never swapped for another court
            candidates = [s for s in candidates if _court_of(s) == request.court]
        position = request.position or 1
        if candidates and len(candidates) < position:
            return Reply(replies.beyond_position_reply(request.date, candidates, request, position))
        if len(candidates) < position:
            return Reply(replies.availability_reply(request.date, found, request))
        return self.book_slot(candidates[position - 1])

    def move(self) -> Decision:
        """Book the new slot, then cancel the old booking; if the new one fails, keep the old."""
        request = self.request
        booked, cancelled = self.latest("booking"), self.latest("cancelled")
        if booked and cancelled:
            return Reply(replies.moved_reply(booked, cancelled))
        if booked and self.outcomes[-1].role.operation == "move":
            return Reply(replies.booked_reply(booked))
        if error := self.latest_error():
            # The offer that follows is to move the booking there ("yes" moves it).
            moving = self.outcomes[-1].arguments.get("booking_id") or request.booking_id
            return Reply(replies.error_reply(error, moving=moving))
        bookings = self.latest("bookings")
        booking_id = request.booking_id or self.only_booking()
        if booking_id is None:
            if bookings is None and domain_tool(self.tools, "list_bookings"):
                return self.call("list_bookings")
            if bookings:  # several: never guess, and never keep both
                return Reply(f"{replies.bookings_reply(bookings)} Which one should I move?")
            if bookings is None:
                return Reply("Which booking should I move? Please give me its booking id.")
            # Nothing to move: say so, and book nothing unasked ("yes" books it).
            return Reply(replies.nothing_to_move_reply(request))
        if not (request.names_slot() or _another_day(request, booking_id)):
            return Reply("Where would you like to move it? Tell me the time, day or court.")
        if domain_tool(self.tools, "move") is not None:
            return self.call("move", booking_id=booking_id, **self.description())
        if booked:  # no move tool: the new slot is booked, now the old one goes
            return self.call("cancel", booking_id=booking_id)
        return self.book()

    def only_booking(self) -> str | None:
        bookings = self.latest("bookings") or []
        return bookings[0].get("booking_id") if len(bookings) == 1 else None

    def books_by_description(self) -> bool:
        """Does the booking tool take a day and time (and choose the slot itself)?"""
        tool = domain_tool(self.tools, "book")
        properties = ((tool.parameters if tool else None) or {}).get("properties") or {}
        return "date" in properties and "slot_id" in properties

    def description(self) -> dict[str, Any]:
        """The request as a slot description for the tool contract (no slot id)."""
        request = self.request
        if request.slot_id:  # a slot offered or listed, and chosen
            return {**_BY_ID, "slot_id": request.slot_id}
        return {
            "slot_id": None,
            "date": request.date,
            "time": request.time,
            "court": request.court,
            "part_of_day": None if request.time else request.part_of_day,
            "position": request.position,
        }

    def after_booking_error(self, error: Mapping[str, Any]) -> Decision:
        alternatives = list(error.get("alternatives") or [])
        tried = {o.arguments.get("slot_id") for o in self.outcomes if o.role.operation == "book"}
        same_time = [
            s
            for s in alternatives
            if replies.slot_fields(s).get("time") == self.request.time
            and s.get("slot_id") not in tried
            and self.request.court is None
        ]
        if (
            error.get("code") == "slot_taken"
            and same_time
            and len(tried) < MAX_BOOK_ATTEMPTS_PER_TURN
        ):
            return self.book_slot(same_time[0])
        request = self.request
        full = error.get("code") == "no_free_slot" and not request.position
        if full and request.time and not request.court:
            return Reply(replies.full_reply(request.date, request.time, alternatives))
        if not alternatives and request.date and request.time:
            whole_day = self.availability(request.date, None, None) or []
            alternatives = replies.nearest_slots(whole_day, request.time)
        return Reply(replies.error_reply(error, alternatives, request.time))

    def book_slot(self, slot: Mapping[str, Any]) -> Decision:
        if self.books_by_description():
            return self.call("book", **_BY_ID, slot_id=slot.get("slot_id"))
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
        flags = ("is_follow_up", "is_confirmation", "listed")
        return {k: v for k, v in asdict(self.request).items() if k not in flags}

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

    def availability(
        self, day: str, time: str | None, part: str | None
    ) -> list[Mapping[str, Any]] | None:
        """Free slots from the latest availability result covering `day` (and `time`, or the
        part of the day `part`)."""
        for outcome in reversed(self.outcomes):
            result = outcome.result
            if not isinstance(result, Mapping) or not isinstance(result.get("free_slots"), list):
                continue
            result_day = result.get("date") or outcome.arguments.get("date")
            result_time = _filter(result, outcome.arguments, "time")
            result_part = _filter(result, outcome.arguments, "part_of_day")
            if result_day != day or result_time not in (None, time):
                continue
            if result_part is None or (result_part == part and result_time is None):
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
        when += f" in the {request.part_of_day}"
    court = f" for {request.court}" if request.court else ""
    if checking:
        return f"Check availability{when}{court}"
    if request.intent == "book" and request.slot_id:
        return f"Book slot {request.slot_id}"
    if request.intent == "book" and request.position:
        which = _ordinal(request.position)
        on = f" on {request.court}" if request.court else ""
        return f"Book the {which} free slot{on}{when}"
    if request.intent == "book":
        return f"Book {request.court or 'a court'}{when}"
    if request.intent == "move":
        # Without a booking id the specialist finds the booking (or says there is none to
        # move): never a fresh booking beside it.
        booking = f" {request.booking_id}" if request.booking_id else ""
        to = f" {request.court}" if request.court else ""
        which = f" the {_ordinal(request.position)} free slot" if request.position else ""
        return f"Move my booking{booking} to{which}{to}{when}".replace(" to on", " to")
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
        elif isinstance(item, Message) and item.role == "assistant":
            context = _with_text_facts(context, item.text)
        elif isinstance(item, ToolCall):
            context = _with_facts(context, _described(item.arguments))
        elif isinstance(item, ToolResult):
            result = parse_tool_output(item.output)
            if isinstance(result, Mapping):
                facts = result.get("booking") or result
                context = _with_facts(context, facts if isinstance(facts, Mapping) else {})
            elif isinstance(result, str):
                context = _with_text_facts(context, result)
    return context


def _described(arguments: Mapping[str, Any]) -> Mapping[str, Any]:
    """A tool call's arguments as facts; a position picks nothing known yet, so drop it."""
    return {k: v for k, v in arguments.items() if k not in ("position", "slot_id")}


def _with_text_facts(context: UserRequest, text: str) -> UserRequest:
    """What a reply (or an agent's report) established: the booking it names, last, the slot
    it offers and the slots it lists, if any (an offer or a listing holds for the next message
    only)."""
    bookings = list(BOOKING_ID.finditer(text or ""))
    offers = list(SLOT_ID.finditer(text or ""))
    updates: dict[str, Any] = {"slot_id": None}
    updates["listed"] = tuple(replies.listed_slots(text, context.date))
    if bookings:
        day, key, hour, minute = bookings[-1].group(1, 2, 3, 4)
        updates.update(
            booking_id=bookings[-1].group(0),
            date=day,
            time=f"{hour}:{minute}",
            court=court_named(key),
        )
    if offers:
        day, key, hour, minute = offers[-1].groups()
        updates["slot_id"] = f"{day}_{key}_{hour}{minute}"
    return UserRequest(**{**asdict(context), **updates})


def _filter(result: Mapping[str, Any], arguments: Mapping[str, Any], key: str) -> Any:
    return result.get(key) if key in result else arguments.get(key)


def _another_day(request: UserRequest, booking_id: str) -> bool:
    """Does the request name a day other than the booking's own ("move it to Friday")?"""
    match = BOOKING_ID.match(booking_id)
    return bool(request.date and match and request.date != match.group(1))


def _court_of(slot: Mapping[str, Any]) -> str | None:
    return replies.slot_fields(slot).get("court")


def _ordinal(position: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(position, f"{position}th")


_BY_ID = {"date": None, "time": None, "court": None, "part_of_day": None, "position": None}


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
