"""The conversation corpus (tests/corpus/) through the real handlers of every pattern.

Every single message runs on A-H and every conversation on D-H (A-C answer one message at a
time by design), each on an empty moto store (the module's tables, emptied before every case)
with today pinned (Tuesday 2026-11-24) and the offline stand-in model. A case passes when the
store holds exactly the bookings the corpus names for the caller, and the `/chat` bodies report
exactly what was booked and cancelled: judged by data, never by reply wording.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from moto import mock_aws

from booking.schedule import Schedule
from booking.service import BookingService
from booking.store import DynamoBookingStore
from local.aws_overrides import AwsOverrides
from local.bedrock_simulation import LOCAL_ENV, SimulatedManagedAgent
from local.dynamodb import create_bookings_table, create_idempotency_table, create_sessions_table
from local.runtime import LocalRuntime
from pattern_core import collaborators
from tests.conftest import MOTO_CONFIG
from tests.integration.chat_harness import (  # noqa: F401 - fixtures
    chat_env,
    offline_model,
)
from tests.integration.conftest import (
    IDEMPOTENCY_TABLE,
    SESSIONS_TABLE,
    TABLE,
    aws_overrides,
    booking_items,
    empty_table,
)
from tests.integration.test_pattern_c_workflow import pattern_c  # noqa: F401
from tests.integration.test_pattern_g_handler import invocations  # noqa: F401
from tests.utils import chat_event, lambda_context, response_json

CORPUS = Path(__file__).parents[1] / "corpus"
TODAY = dt.date(2026, 11, 24)
CALLER = "arn:aws:iam::123456789012:user/corpus-caller"
SOMEONE_ELSE = "arn:aws:iam::123456789012:user/someone-else"
ONE_MESSAGE_PATTERNS = list("ABC")
CONVERSATION_PATTERNS = list("DEFGH")

Expected = tuple[str, str, str | None]  # (date, time, court or None for "any court")


def _load(name: str, key: str) -> list[dict]:
    return tomllib.loads((CORPUS / name).read_text())[key]


MESSAGES = _load("messages.toml", "message")
CONVERSATIONS = _load("conversations.toml", "conversation")


def _case_id(index: int, text: str) -> str:
    return f"{index:02d}-{text[:40]}"


def _by_design(pattern: str, entry: dict) -> list[pytest.MarkDecorator]:
    """A skip, with the corpus's reason, where a pattern's design leaves the request out."""
    if pattern in entry.get("not_on", ""):
        return [pytest.mark.skip(reason=f"not on {pattern} by design: {entry['why_not']}")]
    return []


SINGLE_CASES = [
    pytest.param(
        pattern,
        entry,
        id=f"{pattern}-{_case_id(n, entry['text'])}",
        marks=_by_design(pattern, entry),
    )
    for n, entry in enumerate(MESSAGES)
    for pattern in ONE_MESSAGE_PATTERNS + CONVERSATION_PATTERNS
]
CONVERSATION_CASES = [
    pytest.param(pattern, entry, id=f"{pattern}-{_case_id(n, entry['name'])}")
    for n, entry in enumerate(CONVERSATIONS)
    for pattern in CONVERSATION_PATTERNS
]


def test_the_corpus_is_as_large_as_promised_and_includes_the_original_demos():
    assert len(MESSAGES) >= 30 and len(CONVERSATIONS) >= 10
    texts = {entry["text"] for entry in MESSAGES}
    assert {"Book tomorrow afternoon please", "Give me the first available tomorrow"} <= texts
    assert sum("source" in entry for entry in MESSAGES + CONVERSATIONS) >= 10


@pytest.fixture(scope="module")
def corpus_tables(dynamodb_client):
    """moto for the whole module, with the bookings, sessions and idempotency tables made once
    (making three tables costs more than most cases' turns)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
        with mock_aws(config=MOTO_CONFIG):
            create_bookings_table(dynamodb_client, TABLE)
            create_sessions_table(dynamodb_client, SESSIONS_TABLE)
            create_idempotency_table(dynamodb_client, IDEMPOTENCY_TABLE)
            yield dynamodb_client


@pytest.fixture
def dynamodb(corpus_tables):
    """The module's tables, emptied for this case: no booking, no session and no remembered
    request (an idempotent answer) of an earlier case is left."""
    for table in (TABLE, SESSIONS_TABLE, IDEMPOTENCY_TABLE):
        empty_table(corpus_tables, table)
    return corpus_tables


@pytest.fixture
def chat_tables(dynamodb):
    """`chat_env`'s tables are the module's, already made."""
    return dynamodb


@pytest.fixture
def pattern_handler(request, monkeypatch, tmp_path) -> Callable[[str], Callable]:
    """`pattern_handler("E")`: that pattern's /chat handler with what its stack provides."""
    request.getfixturevalue("chat_env")
    exits: list[AwsOverrides] = []

    def build(key: str) -> Callable:
        if key == "C":
            handler = request.getfixturevalue("pattern_c").api.handler
        elif key == "G":
            request.getfixturevalue("invocations")
            from pattern_g import handler as module

            handler = module.handler
        elif key == "H":
            for name, value in LOCAL_ENV.items():
                monkeypatch.setenv(name, value)
            monkeypatch.setenv("H_ENGINE", "bedrock_agent")
            collaborators.reset()
            simulation = SimulatedManagedAgent(LocalRuntime(), sessions=tmp_path / "sessions")
            aws = aws_overrides().__enter__()
            exits.append(aws)
            aws.override("bedrock-agent-runtime", "InvokeAgent", simulation.invoke_agent)
            from pattern_h import handler as module

            handler = module.handler
        else:
            name = f"pattern_{key.lower()}.handler"
            collaborators.reset()
            handler = __import__(name, fromlist=["handler"]).handler
        # Pattern C's fixture pins a time of day; the corpus pins the day only.
        monkeypatch.setenv("PATTERNS_TODAY", TODAY.isoformat())
        return handler

    yield build
    for aws in exits:
        aws.__exit__(None, None, None)
    collaborators.reset()


def _day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def _expected(entries: list[dict]) -> list[Expected]:
    return sorted((_day(e["day"]), e["time"], e.get("court")) for e in entries)


def _give(dynamodb, given: list[dict]) -> None:
    """Bookings made before the conversation, through the real booking service."""
    service = BookingService(DynamoBookingStore(TABLE, dynamodb), Schedule.from_env())
    for n, entry in enumerate(given):
        # One court per person per start time: each booking of someone else's is another's.
        owner = CALLER if entry["owner"] == "caller" else f"{SOMEONE_ELSE}-{n}"
        day, court, time = _day(entry["day"]), entry["court"], entry["time"]
        service.book(f"{day}_{court.replace(' ', '')}_{time.replace(':', '')}", owner)


def _held(dynamodb) -> list[tuple[str, str, str]]:
    """(date, time, court) of every booking the caller holds, read from the table."""
    held = []
    for slot_id, owner in booking_items(dynamodb):
        if owner == CALLER:
            day, court, hhmm = slot_id.split("_")
            held.append((day, f"{hhmm[:2]}:{hhmm[2:]}", f"Court {court.removeprefix('Court')}"))
    return sorted(held)


def _matches(actual: list[tuple[str, str, str]], expected: list[Expected]) -> bool:
    if len(actual) != len(expected):
        return False
    remaining = list(actual)
    for day, time, court in expected:
        found = next((a for a in remaining if a[:2] == (day, time) and court in (None, a[2])), None)
        if found is None:
            return False
        remaining.remove(found)
    return True


def _slots(reported: list[dict]) -> list[tuple[str, str, str]]:
    return sorted((b["date"], b["time"], b["court"]) for b in reported)


def _run(handler, turns: list[str]) -> list[dict]:
    """Each turn as a signed `POST /chat` in one session; every answer must be a 200."""
    bodies, session_id = [], None
    for text in turns:
        message = {"message": text} | ({"session_id": session_id} if session_id else {})
        response = handler(chat_event(message, caller_arn=CALLER), lambda_context("corpus"))
        body = response_json(response)
        assert response["statusCode"] == 200, (text, body)
        session_id = body["session_id"]
        bodies.append(body)
    return bodies


def _judge(entry: dict, bodies: list[dict], dynamodb) -> None:
    held = _held(dynamodb)
    given_to_caller = [g for g in entry.get("given", []) if g["owner"] == "caller"]
    booked = _slots([b for body in bodies for b in body["bookings"]])
    cancelled = _slots([c for body in bodies for c in body["cancellations"]])
    replies = [body["reply"] for body in bodies]
    expected_held = _expected(entry.get("books", []))
    assert _matches(held, expected_held), (held, expected_held, replies)
    assert _matches(cancelled, _expected(entry.get("cancels", []))), (cancelled, replies)
    # Whatever the caller holds now that was not held before was reported as booked.
    before = _expected(given_to_caller)
    new = [slot for slot in held if slot not in before]
    assert all(slot in booked for slot in new), (new, booked, replies)
    assert all(slot in held or slot in cancelled for slot in booked), (booked, held, replies)


@pytest.mark.parametrize(("pattern", "entry"), SINGLE_CASES)
def test_one_message(pattern, entry, pattern_handler, dynamodb):
    handler = pattern_handler(pattern)
    _give(dynamodb, entry.get("given", []))

    bodies = _run(handler, [entry["text"]])

    _judge(entry, bodies, dynamodb)


@pytest.mark.parametrize(("pattern", "entry"), CONVERSATION_CASES)
def test_conversation(pattern, entry, pattern_handler, dynamodb):
    handler = pattern_handler(pattern)
    _give(dynamodb, entry.get("given", []))

    bodies = _run(handler, entry["turns"])

    _judge(entry, bodies, dynamodb)


# Model calls a day-and-time booking takes: the stand-in books in one tool call, so D and E
# call the model twice (tool call, reply); F and G add the manager's two around a specialist's.
MODEL_CALLS_TO_BOOK = {"D": 2, "E": 2, "F": 4, "G": 4}


@pytest.mark.parametrize("pattern", list(MODEL_CALLS_TO_BOOK))
def test_a_day_and_time_books_in_few_model_calls(pattern, pattern_handler, dynamodb):
    (body,) = _run(pattern_handler(pattern), ["Book tomorrow at 3pm"])

    assert [(b["date"], b["time"]) for b in body["bookings"]] == [(_day(1), "15:00")]
    assert body["usage"]["llm_calls"] <= MODEL_CALLS_TO_BOOK[pattern], body["usage"]
