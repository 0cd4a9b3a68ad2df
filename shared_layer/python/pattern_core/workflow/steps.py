"""The booking workflow's steps: one implementation, two runtimes (patterns B and C).

    understand (LLM) → find slots → [anything bookable?] → choose slot → book → write reply (LLM)

Each step is a small typed function `step(state, ctx) -> state` over a JSON-serialisable
`WorkflowState`, named in `STEPS` and run (timed and logged) by `run_step`, so the same function
runs inside one Lambda (pattern B runs them in order) or as one Lambda per step chained by Step
Functions (pattern C passes the state between them). The steps call the plain functions of
`workflow.fulfilment`, `booking.slot_choice` and `model.understanding`; they are named
`<step>_step` to keep the two apart. The model is used inside two steps — to understand the
message and to write the reply — and never decides which step runs next: the sequence is
fixed, with one branch ("nothing bookable") that skips choosing and booking.

`user_id` is in the state because the caller's verified identity has to travel with the work;
it comes from the API's request identity, never from a model or the message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel, Field

from booking.errors import AlreadyBookedThatTime, BookingError, SlotTaken
from booking.models import Booking, Slot
from booking.schedule import Schedule
from booking.service import BookingService
from booking.slot_choice import choose_slot
from booking.wording import (
    already_booked_reply,
    describe_booking,
    describe_slots,
    format_day,
    other_court_note,
    sentences,
)
from pattern_core.contract import trace
from pattern_core.contract.turn import ChatError, ChatOutcome
from pattern_core.deadline import NO_CONTEXT_SECONDS, Deadline, DeadlineExceeded
from pattern_core.model.client import (
    ModelNotConfigured,
    deadline_of_call,
    record_answer,
    within_deadline,
)
from pattern_core.model.understanding import BookingRequest, understand
from pattern_core.usage import UsageFigures, UsageMeter
from pattern_core.workflow.fulfilment import (
    find_slots,
    refuse_position,
    requested_day,
    requested_time,
)

logger = Logger(child=True)

if TYPE_CHECKING:  # the steps that never call a model (pattern C's own Lambdas) skip the SDK
    from openai import OpenAI

WORKFLOW_INTENTS = ("book", "check_availability")
NOT_A_WORKFLOW_REQUEST = {
    "code": "not_supported",
    "message": (
        "This booking workflow checks free courts and books them; listing, cancelling or "
        "moving bookings is not one of its steps."
    ),
}


class StepRecord(BaseModel):
    """One run of a step as a separate function (pattern C): what ran, where, how long."""

    step: str
    state: str | None = None  # the state machine's state name ($$.State.Name)
    retries: int = 0  # $$.State.RetryCount: attempts of this state the Lambda service failed
    ms: int = 0
    started_at: float | None = None  # epoch seconds when the step's code began (traces)
    failed: bool = False  # the step raised (recorded by the failure reply, from the Catch)
    ran: bool = True  # our code ran (False when Lambda itself failed to run it)


class Failure(BaseModel):
    """A step that failed: how the HTTP contract reports it (when nothing was booked)."""

    status: int
    code: str
    message: str
    error_type: str


class WorkflowState(BaseModel):
    """Everything the steps hand each other. Plain JSON, so it can cross Lambda boundaries."""

    message: str
    user_id: str
    # One per chat request (pattern C's API function sets it): a retried Book step passes it
    # again, and finds the booking its first try made instead of booking another court.
    request_token: str | None = None
    request: BookingRequest | None = None
    free_slots: list[Slot] = Field(default_factory=list)
    alternatives: list[Slot] = Field(default_factory=list)
    bookable: bool = False  # the branch the fixed sequence takes after find_slots
    chosen: Slot | None = None
    booking: Booking | None = None
    error: dict[str, Any] | None = None  # a refusal by the booking rules, told to the person
    reply: str | None = None
    failure: Failure | None = None
    # Model usage summed over steps that ran in other processes (pattern C).
    usage: UsageFigures = Field(default_factory=UsageFigures)
    trail: list[StepRecord] = Field(default_factory=list)


@dataclass
class StepContext:
    """What a step may use. Getters are lazy: a step that needs no model builds no client."""

    usage: UsageMeter
    service: Callable[[], BookingService]
    schedule: Callable[[], Schedule]
    client: Callable[[], OpenAI]
    model: str
    # When this process must have its answer: the request's (B), or this step function's own
    # (C: each step Lambda's context). Every model call gets no more than the time left.
    deadline: Deadline = field(default_factory=lambda: Deadline.after(NO_CONTEXT_SECONDS))

    def model_client(self) -> OpenAI:
        return within_deadline(self.client(), self.deadline)


Step = Callable[[WorkflowState, StepContext], WorkflowState]


# -- the steps -------------------------------------------------------------------------------
def understand_step(state: WorkflowState, ctx: StepContext) -> WorkflowState:
    """LLM, structured output: the message as a `BookingRequest`."""
    state.request = understand(
        ctx.client(), ctx.model, ctx.schedule(), state.message, ctx.usage, ctx.deadline
    )
    return state


def find_slots_step(state: WorkflowState, ctx: StepContext) -> WorkflowState:
    """Code: free slots matching the request; when the asked-for time is full, the day's free
    slots and the nearest free times instead. Decides whether there is anything to book."""
    request = _request(state)
    if request.intent not in WORKFLOW_INTENTS:
        state.error = dict(NOT_A_WORKFLOW_REQUEST)
        return state
    service = ctx.service()
    try:
        free = find_slots(service, request)
        if request.time and not free:
            day = requested_day(request, service.schedule)
            state.free_slots = service.free_slots(day)
            probe = Slot.of(day, service.schedule.courts[0], requested_time(request))
            state.alternatives = service.nearest_free(probe)
        else:
            state.free_slots = free
        state.bookable = (
            request.intent == "book" and choose_slot(free, request, service.schedule) is not None
        )
        if request.intent == "book" and not state.bookable and free and request.slot_preference:
            refuse_position(service, request)
    except BookingError as refusal:
        state.error = refusal.to_dict()
        state.alternatives = list(getattr(refusal, "alternatives", None) or [])
        state.bookable = False
        return state
    return state


def choose_slot_step(state: WorkflowState, ctx: StepContext) -> WorkflowState:
    """Code: the preferred court if it is free at the asked-for time, else the first free."""
    state.chosen = choose_slot(state.free_slots, _request(state), ctx.schedule())
    return state


def book_step(state: WorkflowState, ctx: StepContext) -> WorkflowState:
    """Code: book the chosen slot for the caller. If someone else wins the race for it, move
    to the next free court at the same time; if none is left, say so with alternatives. If the
    caller already holds a court at that time, stop: that booking is the answer (moving on
    would put them on two courts at once).

    Safe to run twice on the same state (Step Functions retries the Book task when Lambda
    reports an error, which may come after the write): with the state's request token the
    second run returns the booking the first one made."""
    service = ctx.service()
    request = _request(state)
    candidates = list(state.free_slots)
    slot = state.chosen
    while slot is not None:
        try:
            state.booking = service.book(
                slot.slot_id, state.user_id, request_token=state.request_token
            )
            state.chosen = _slot_of(state.booking)  # a retry's booking may be on another court
            return state
        except SlotTaken as taken:
            candidates = [s for s in candidates if s.slot_id != slot.slot_id]
            state.alternatives = list(taken.alternatives)
            state.error = taken.to_dict()
        except BookingError as other:
            state.error = other.to_dict()
            return state
        slot = choose_slot(candidates, request, service.schedule)
    state.chosen = None
    if state.error is None:
        state.error = {"code": "nothing_to_book", "message": "No slot was chosen to book."}
    return state


REPLY_INSTRUCTIONS = (
    "You write the reply of a tennis-court booking assistant, in one to three short, friendly "
    "sentences. The user message is a JSON object of facts: `message` (what the person wrote), "
    "`request` (how it was understood), and where present `booking` (a booking that WAS made), "
    "`free_slots`, `alternatives` (the nearest free times when the asked-for time is full) and "
    "`error` (why the request was refused). Use only these facts. Never say a court is booked "
    "unless `booking` is present, and then give its booking id. If nothing was booked, say so "
    "and offer the alternatives or free slots if any; each message stands alone (there is no "
    "conversation), so never ask for a yes: say what to ask for instead, such as 'Book Court A "
    "on Thu 3 Dec at 14:00'. If `error.booking` is present, the "
    "person already holds that booking at that time: say so and give its booking id. Dates are "
    "YYYY-MM-DD, times 24-hour."
)


def write_reply_step(state: WorkflowState, ctx: StepContext) -> WorkflowState:
    """LLM, plain text: the reply, written from the facts the earlier steps established."""
    facts = reply_facts(state)
    with deadline_of_call(ctx.deadline, "writing the reply") as call:
        completion = ctx.model_client().chat.completions.create(
            model=ctx.model,
            messages=[
                {
                    "role": "system",
                    "content": f"{REPLY_INSTRUCTIONS} {ctx.schedule().describe_today()}",
                },
                {"role": "user", "content": json.dumps(facts)},
            ],
        )
        record_answer(call, completion)
    ctx.usage.record_model_call(completion.usage)
    text = (completion.choices[0].message.content or "").strip()
    state.reply = checked_reply(text, state)
    return state


def reply_facts(state: WorkflowState) -> dict[str, Any]:
    """The facts the reply is written from; the caller's identity is not among them."""
    facts: dict[str, Any] = {
        "message": state.message,
        "request": state.request.model_dump() if state.request else None,
    }
    if state.booking is not None:
        facts["booking"] = state.booking.public()
    elif state.error is not None:
        facts["error"] = state.error
        if state.alternatives:
            facts["alternatives"] = [s.model_dump() for s in state.alternatives]
    else:
        facts["free_slots"] = [s.model_dump() for s in state.free_slots]
        if state.alternatives:
            facts["alternatives"] = [s.model_dump() for s in state.alternatives]
    if state.request and state.request.date:
        facts["date"] = state.request.date
    return facts


# A model that says "you're booked" (or quotes a booking id) when no booking was made.
_BOOKING_CLAIM = re.compile(
    r"\b(?:i(?:'ve| have)|you(?:'re| are)(?: now)?|is now|has been|successfully)\s+"
    r"(?:booked|reserved)\b|\b\d{4}-\d{2}-\d{2}_[A-Za-z0-9]+_\d{4}\.[0-9a-f]{8}\b",
    re.IGNORECASE,
)


def checked_reply(text: str, state: WorkflowState) -> str:
    """The model's reply, unless it contradicts the facts: a booking claimed that was not
    made, or a booking made but not reported. Then the facts are stated plainly instead."""
    if state.booking is not None:
        if not text:
            return template_reply(state)
        if state.booking.booking_id not in text:
            text = f"{text} (Booking id {state.booking.booking_id}.)"
        # Another court than the one asked for (the first free one at that time) is said
        schedule, asked = Schedule.from_env(), _asked_court(state)
        taken = other_court_note(asked, state.booking, schedule)
        if taken and schedule.court(asked) not in text:  # a reply may say so itself
            text = sentences(text, taken)
        return text
    held = _held_booking(state)
    if held is not None:
        # The booking the person already holds may be named, and must be.
        if not text or _BOOKING_CLAIM.search(text.replace(held.booking_id, "")):
            return template_reply(state)
        return text if held.booking_id in text else f"{text} (Booking id {held.booking_id}.)"
    if not text or _BOOKING_CLAIM.search(text):
        return template_reply(state)
    return text


def _asked_court(state: WorkflowState) -> str | None:
    return state.request.court if state.request else None


def _held_booking(state: WorkflowState) -> Booking | None:
    """The booking the caller already holds at the asked-for time, when that is the refusal."""
    if state.error and state.error.get("code") == AlreadyBookedThatTime.code:
        return Booking.model_validate(state.error["booking"])
    return None


def _slot_of(booking: Booking) -> Slot:
    return Slot(**booking.model_dump(exclude={"booking_id"}))


def template_reply(state: WorkflowState) -> str:
    """The facts in plain words, no model: the fallback when the model's text can't be used."""
    if state.booking is not None:
        taken = other_court_note(_asked_court(state), state.booking, Schedule.from_env())
        return sentences(f"Booked {describe_booking(state.booking)}.", taken)
    if (held := _held_booking(state)) is not None:
        return already_booked_reply(AlreadyBookedThatTime(held))
    if state.error is not None:
        offer = state.alternatives
        suffix = f" Nearest free times: {describe_slots(offer)}." if offer else ""
        return f"{state.error.get('message', 'That could not be done.')}{suffix}"
    day = format_day(state.request.date) if state.request and state.request.date else "that day"
    if state.alternatives:
        return (
            f"Nothing was booked: that time on {day} is full. "
            f"Nearest free times: {describe_slots(state.alternatives)}."
        )
    if state.free_slots:
        return f"Free on {day}: {describe_slots(state.free_slots)}."
    return f"Nothing is free on {day}."


# -- failure ---------------------------------------------------------------------------------
def _subclass_names(cls: type) -> set[str]:
    names = {cls.__name__}
    for sub in cls.__subclasses__():
        names |= _subclass_names(sub)
    return names


def _is_model_error(error_type: str) -> bool:
    """An error type that names one of the model SDK's errors. Only a failure reply that meets a
    name it does not know imports the SDK to look it up."""
    import openai

    return error_type in _subclass_names(openai.APIError)


_FAILURES: dict[str, tuple[int, str, str]] = {
    "RateLimitError": (429, "model_rate_limited", "The model is busy; retry shortly."),
    "APITimeoutError": (504, "model_timeout", "The model did not answer in time."),
    # The message names the key secret and how to create it (ModelNotConfigured's message).
    ModelNotConfigured.__name__: (503, "model_not_configured", ""),
    "APIResponseValidationError": (502, "model_error", "The model's answer was not understood."),
    "States.Timeout": (504, "step_timeout", "A step of the workflow did not finish in time."),
    # A step function that reached its own Lambda timeout (it should end by its deadline).
    "Sandbox.Timedout": (504, "step_timeout", "A step of the workflow did not finish in time."),
    DeadlineExceeded.__name__: (504, "deadline_exceeded", "The request ran out of time."),
}


def failure_of(error_type: str) -> Failure:
    """Map a failed step's error type — a Python exception class name, or a Step Functions
    error name from a Catch — to the status, code and message the HTTP contract uses."""
    if error_type in _FAILURES:
        status, code, message = _FAILURES[error_type]
        message = message or str(ModelNotConfigured())
    elif _is_model_error(error_type):
        status, code, message = 502, "model_error", "The model could not be reached."
    else:
        status, code, message = 500, "internal_error", "A step of the workflow failed."
    return Failure(status=status, code=code, message=message, error_type=error_type)


def end_with_failure(state: WorkflowState, error_type: str) -> WorkflowState:
    """Code, no model: end a run whose step failed, telling the truth about any booking."""
    state.failure = failure_of(error_type)
    if state.booking is not None:
        # Only the reply could not be written: the booking stands, so report it.
        state.reply = template_reply(state)
    elif state.chosen is not None:
        state.reply = (
            f"{state.failure.message} The booking could not be confirmed; "
            "check your bookings before trying again."
        )
    else:
        state.reply = f"{state.failure.message} Nothing was booked."
    return state


def outcome_of(state: WorkflowState) -> ChatOutcome:
    """A finished run as the chat API's answer: a failure with no booking is an error
    response (same codes as every pattern), anything else a reply."""
    if state.failure is not None and state.booking is None:
        raise ChatError(state.failure.status, state.failure.code, state.reply or "")
    booked = [state.booking] if state.booking else []
    return ChatOutcome(state.reply or template_reply(state), booked)


# -- accounting for pattern C ------------------------------------------------------------
# The state machine's only Choice state follows FindSlots (its name as in
# stacks/asl/booking_workflow.asl.json; a test holds the two equal). A Choice runs no code and
# writes no data, so it is counted, and traced, from FindSlots' successful record; tests check
# every count against the execution history moto's interpreter keeps.
STATE_BEFORE_CHOICE = "find_slots"
CHOICE_STATE = "IsAnythingBookable"


def record_execution(state: WorkflowState, usage: UsageMeter) -> None:
    """Fold an execution's own account of itself (its `trail` and summed model usage) into
    the turn's usage: Lambda invocations are every step whose code ran (besides the API
    function); state transitions are the states entered, the Choice among them. A traced turn
    gets one `state` event per state entered, so its states and `state_transitions` agree."""
    usage.record_remote(state.usage)
    usage.record_invocations(sum(1 for r in state.trail if r.ran))
    entered = 0
    for n, record in enumerate(state.trail):
        entered += 1
        if not record.failed:
            usage.record_step(record.step, record.ms)
        before = state.trail[n - 1] if n else None
        after = state.trail[n + 1] if n + 1 < len(state.trail) else None
        _trace_state(record, before, after)
        if record.step == STATE_BEFORE_CHOICE and not record.failed:
            entered += 1
            _trace_choice(record, after)
    usage.record_state_transitions(entered)


def _ended_at(record: StepRecord | None) -> float | None:
    if record is None or record.started_at is None:
        return None
    return record.started_at + record.ms / 1000


def _trace_state(record: StepRecord, before: StepRecord | None, after: StepRecord | None) -> None:
    """A state on a traced turn's timeline, from its record. A state whose step failed has no
    clock of its own (the failure reply records it from the Catch): it is shown between the
    state before it and the failure reply, marked as not measured."""
    detail = {"step": record.step, "retries": record.retries, "failed": record.failed}
    started, duration_ms = record.started_at, record.ms
    if started is None:
        next_start = after.started_at if after is not None else None
        started = _ended_at(before) or next_start
        if started is None:
            return
        duration_ms = max(0.0, ((next_start or started) - started) * 1000)
        detail["measured"] = False
    trace.add_at(
        "state",
        record.state or record.step,
        started_epoch=started,
        duration_ms=duration_ms,
        detail=detail,
    )


def _trace_choice(before: StepRecord, after: StepRecord | None) -> None:
    """The Choice, when FindSlots' code ended: it runs no code of its own (so no duration is
    claimed for it), and the state entered after it is the branch it took."""
    ended = _ended_at(before)
    if ended is None:
        return
    detail = {"next": after.state or after.step} if after is not None else {}
    trace.add_at(
        "state",
        CHOICE_STATE,
        started_epoch=ended,
        duration_ms=0,
        detail=detail,
    )


def _request(state: WorkflowState) -> BookingRequest:
    if state.request is None:
        raise ValueError("the understand step has not run")
    return state.request


STEPS: dict[str, Step] = {
    "understand": understand_step,
    "find_slots": find_slots_step,
    "choose_slot": choose_slot_step,
    "book": book_step,
    "write_reply": write_reply_step,
}


def run_step(name: str, state: WorkflowState, ctx: StepContext) -> WorkflowState:
    """Run the step `name` on `state`: timed into `ctx.usage` (`steps_ms`) and logged, the
    same in one process (B) and in a step's own Lambda (C)."""
    timing = {"ms": 0}
    try:
        # The step's model call, if any, lies inside its trace event (B's timeline; C's steps
        # run untraced in their own Lambdas and are shown from the execution's trail).
        with ctx.usage.timed_step(name) as timing, trace.span("step", name):
            return STEPS[name](state, ctx)
    finally:
        logger.info(
            "workflow step",
            extra={
                "step": name,
                "duration_ms": timing["ms"],
                "bookable": state.bookable,
                "booked": state.booking is not None,
                "refused": (state.error or {}).get("code"),
            },
        )
