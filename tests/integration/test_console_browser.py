"""The console page in a real browser: headless Chromium (Debian's package) driven by
Playwright, against `patterns serve` in a subprocess.

Without Chromium these tests skip, saying how to install it (`make test` installs it when
running as root). Screenshots land in pytest's tmp dir; their paths are printed (`-s`).
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.integration.test_console import serve

pytestmark = [pytest.mark.browser, pytest.mark.local_server]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip(
        "Chromium is not installed: `sudo apt-get install -y chromium` (Debian), "
        "or run `make test` as root, which installs it.",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: `uv sync` (dev group)"
)

LAPTOP = {"width": 1366, "height": 768}
ALL_ANSWERED = (
    "() => !document.body.dataset.busy && "
    "document.querySelectorAll('.column:not([hidden])[data-state=waiting]').length === 0"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("browser-home")) as (base, _):
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/")
    page.wait_for_selector("body[data-ready=true]")
    yield page
    context.close()
    assert not errors, f"the page raised: {errors}"


def percent(style: str, name: str) -> float:
    """`left` or `width` of an inline style such as "left: 50%; width: 12.5%;"."""
    return float(re.search(rf"{name}:\s*([\d.]+)%", style)[1])


def only(page, *pattern_ids: str) -> None:
    for box in page.locator("input[name=pattern]").all():
        box.set_checked(box.get_attribute("value") in pattern_ids)


# Elements with text of their own, and the "decides" tag drawn by CSS, whose size is under 12px.
SMALL_TEXT = """() => {
  const small = [];
  for (const node of document.querySelectorAll("body *")) {
    if (!node.getClientRects().length) continue;
    const own = [...node.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
    const size = parseFloat(getComputedStyle(node).fontSize);
    if (own && size < 12) small.push(node.outerHTML.slice(0, 80));
    const after = getComputedStyle(node, "::after");
    const tag = after.content !== "none" && parseFloat(after.fontSize) < 12;
    if (tag) small.push(`${node.className}::after`);
  }
  return small;
}"""


def test_same_empty_courts_books_a_court_in_all_eight_columns(page, tmp_path):
    # Given the console in "same empty courts" mode, every pattern ticked (the default)
    page.get_by_label("same empty courts").check()
    assert page.locator("input[name=pattern]:checked").count() == 8

    # When the user types the message and presses Enter
    page.get_by_label("Message").fill("Book tomorrow at 3pm")
    page.get_by_label("Message").press("Enter")
    page.wait_for_function(ALL_ANSWERED, timeout=180_000)
    shot = tmp_path / "console-same-empty-courts.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    page.screenshot(path=str(tmp_path / "console-same-empty-courts-full.png"), full_page=True)
    assert "8 patterns answered" in page.get_by_role("status").inner_text()

    # Then eight columns each show one booking, Court A at 15:00 tomorrow (empty courts each)
    columns = page.locator("section.column")
    assert columns.count() == 8
    for index in range(8):
        column = columns.nth(index)
        pattern_id = column.get_attribute("data-pattern")
        assert column.get_attribute("data-state") == "ok", column.inner_text()
        bookings = column.locator("ul.bookings li")
        assert bookings.count() == 1, pattern_id
        assert bookings.first.inner_text().startswith("Court A · 2026-11-25 · 15:00"), pattern_id
        assert column.locator(".status").inner_text().startswith("HTTP 200")
        assert "scratch data" in column.locator(".status").inner_text()
        # the booking id stays whole: each part of it (split after its '.') on one line
        parts = column.locator("ul.bookings .booking-id .nowrap")
        assert parts.count() == 2, pattern_id
        for part in parts.all():
            assert part.evaluate("node => node.getClientRects().length") == 1, pattern_id
        # its timeline, a row of the strip on the shared axis: the turn and its events as bars
        timeline = page.locator(f"#timeline-{pattern_id}")
        assert timeline.locator(".lane[data-kind=total] .bar").count() == 1, pattern_id
        events = timeline.locator(".lane:not([data-kind=total]) .bar")
        assert events.count() >= 1, pattern_id
        assert timeline.locator(".no-trace").count() == 0, pattern_id
        # the turn's length and each kind's total in words, so a sliver of a bar still reads
        turn = timeline.locator(".tl-turn").inner_text()
        assert re.fullmatch(r"\d+ ms|\d+\.\d s", turn), (pattern_id, turn)
        assert re.search(r"\d+× \d+ ms", timeline.locator(".tl-kinds").inner_text()), pattern_id
        # each bar has a text alternative, and the whole trace is readable as text
        for index in range(events.count()):
            label = events.nth(index).get_attribute("title")
            assert re.search(r"at \d+ ms for \d+ ms", label), (pattern_id, label)
        listed = column.locator(".trace-list li")
        assert listed.count() == events.count(), pattern_id
        assert column.locator(".usage dt", has_text="LLM calls").count() == 1
    # Each engine's own mechanism shows in its timeline
    expected = {"A": "model_call", "B": "step", "C": "state", "D": "tool_call"}
    expected |= {"E": "tool_call", "F": "tool_call", "G": "lambda_invoke", "H": "tool_call"}
    for pattern_id, kind in expected.items():
        bars = page.locator(f"#timeline-{pattern_id} .lane[data-kind={kind}] .bar")
        assert bars.count() >= 1, (pattern_id, kind)
    h_tool = page.locator("#timeline-H .lane[data-kind=tool_call] .bar").first
    assert "simulated true" in h_tool.get_attribute("title")
    # All eight timelines are on the first screen of a laptop, without scrolling
    assert page.evaluate("window.scrollY") == 0
    for row in page.locator(".tl-row").all():
        box = row.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= LAPTOP["height"], box
        assert box["width"] >= 1000, box  # one row per pattern across the page
    # No text under 12px
    assert page.evaluate(SMALL_TEXT) == []

    # When each column is put on its own axis, every turn fills most of its own timeline
    page.get_by_label("one time axis for all patterns").uncheck()
    assert "own turn's axis" in page.locator("#scale-note").inner_text()
    own = tmp_path / "console-own-axes.png"
    page.screenshot(path=str(own), full_page=True)
    print(f"screenshot: {own}")
    for row in page.locator(".tl-row").all():
        total = row.locator(".lane[data-kind=total] .bar")
        assert percent(total.get_attribute("style"), "width") == pytest.approx(100, abs=1)
    # And the offline stand-in and H's simulation are labelled
    assert "Offline stand-in model" in page.locator("#model-banner").inner_text()
    assert "simulated" in page.locator("#column-H .local-note").inner_text()


def test_conversation_mode_reuses_each_patterns_session_until_new_conversation(page):
    # The page says what conversation mode means, and that it differs from the other mode
    note = page.locator("#mode-note")
    assert "same Caller" in note.inner_text() and "first to book" in note.inner_text()
    page.get_by_label("same empty courts").check()
    assert "emptied before it" in note.inner_text()
    # A scratch turn first: its exchange is no part of the conversation that follows
    only(page, "A", "D")
    page.get_by_label("Message").press("Enter")
    page.wait_for_function(ALL_ANSWERED, timeout=120_000)
    assert page.locator("#column-A .transcript li.scratch").count() == 2
    page.get_by_label("conversation", exact=True).check()
    sent: list[dict] = []
    page.on(
        "request",
        lambda request: (
            sent.append({"url": request.url, **json.loads(request.post_data)})
            if request.method == "POST"
            else None
        ),
    )

    page.get_by_label("Message").fill("Book tomorrow at 4pm")
    page.get_by_role("button", name="Send").click()
    page.wait_for_function(ALL_ANSWERED, timeout=120_000)
    first_sessions = {key: page.get_attribute(f"#column-{key}", "data-session") for key in "AD"}
    assert page.locator("#column-A .transcript li").count() == 2  # the scratch turn is gone
    assert "16:00" in page.locator("#column-A .transcript").inner_text()
    # As the note says: one store, one caller, so the first to book 16:00 gets it, and the
    # other is told the caller already holds a court then
    booked = [key for key in "AD" if page.locator(f"#column-{key} ul.bookings li").count()]
    assert len(booked) == 1, booked
    other = page.locator(f"#column-{'D' if booked == ['A'] else 'A'} .transcript li.reply")
    assert "already have" in other.inner_text()
    page.get_by_label("Message").fill("Show my bookings")
    page.get_by_label("Message").press("Enter")
    page.wait_for_function(ALL_ANSWERED, timeout=120_000)
    page.get_by_role("button", name="New conversation").click()
    page.get_by_label("Message").press("Enter")
    page.wait_for_function(ALL_ANSWERED, timeout=120_000)

    for key in "AD":
        requests = [r for r in sent if r["url"].endswith(f"/{key.lower()}/chat")]
        assert len(requests) == 3, sent
        assert "session_id" not in requests[0]
        assert first_sessions[key] and requests[1]["session_id"] == first_sessions[key]
        assert "session_id" not in requests[2]  # a new conversation starts a new session
    # The booking made in the first turn is reported in the conversation, then cleared
    d_column = page.locator("#column-D")
    assert d_column.locator(".transcript li").count() == 2
    assert "16:00" in d_column.locator(".transcript").inner_text()
    assert page.locator("#column-B").is_hidden()


def test_traces_become_bars_on_one_axis_and_errors_show_in_their_column(page):
    # C answers with a recorded-shape body (its real turn takes seconds), E with an error.
    traced = {
        "reply": "Booked Court A.",
        "pattern": "C",
        "session_id": "s-1",
        "booking": None,
        "bookings": [],
        "cancellations": [],
        "usage": {
            "llm_calls": 2,
            "tool_calls": [],
            "input_tokens": 10,
            "output_tokens": 5,
            "lambda_invocations": 6,
            "state_transitions": 6,
            "duration_ms": 1000,
        },
        "trace": [
            {"at_ms": 0, "kind": "state", "name": "Understand", "duration_ms": 400, "detail": {}},
            {"at_ms": 10, "kind": "model_call", "name": "parse", "duration_ms": 300, "detail": {}},
            {"at_ms": 100, "kind": "model_call", "name": "inner", "duration_ms": 50, "detail": {}},
            {"at_ms": 400, "kind": "lambda_invoke", "name": "Book", "duration_ms": 100},
            {"at_ms": 500, "kind": "step", "name": "WriteReply", "duration_ms": 500},
        ],
    }
    error = {"error": {"code": "model_not_configured", "message": "No model is configured."}}
    page.route(
        "**/c/chat",
        lambda route: route.fulfill(status=200, json=traced, headers={"x-patterns-model": "x"}),
    )
    page.route("**/e/chat", lambda route: route.fulfill(status=503, json=error))
    untraced = {key: value for key, value in traced.items() if key != "trace"}
    page.route("**/d/chat", lambda route: route.fulfill(status=200, json=untraced))
    only(page, "A", "C", "D", "E")

    page.get_by_label("Message").fill("Book tomorrow at 3pm")
    page.get_by_label("Message").press("Enter")
    page.wait_for_function(ALL_ANSWERED, timeout=120_000)

    bars = {
        kind: page.locator(f"#timeline-C .lane[data-kind={kind}] .bar").count()
        for kind in ("model_call", "tool_call", "lambda_invoke", "state", "step", "total")
    }
    assert bars == {
        "model_call": 2,
        "tool_call": 0,
        "lambda_invoke": 1,
        "state": 1,
        "step": 1,
        "total": 1,
    }
    # One axis for every column: C's 1000 ms turn or A's, whichever is longer, rounded up
    scale = int(re.search(r"0 to (\d+) ms", page.locator("#scale-note").inner_text())[1])
    assert scale >= 1000
    step_style = page.locator("#timeline-C .lane[data-kind=step] .bar").get_attribute("style")
    assert percent(step_style, "left") == pytest.approx(100 * 500 / scale, abs=0.01)
    assert percent(step_style, "width") == pytest.approx(100 * 500 / scale, abs=0.01)
    assert page.locator("#timeline-C .no-trace").count() == 0
    # Overlapping bars of one lane go on separate rows, so neither hides the other
    model_bars = page.locator("#timeline-C .lane[data-kind=model_call] .bar")
    rows = [
        re.search(r"--row:\s*(\d+)", model_bars.nth(i).get_attribute("style"))[1] for i in (0, 1)
    ]
    assert rows == ["0", "1"]
    # The trace as text, opened from the keyboard
    summary = page.locator("#column-C .trace-list summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("#column-C .trace-list").get_attribute("open") is not None
    items = page.locator("#column-C .trace-list li")
    assert items.count() == 5
    assert items.first.inner_text() == "states: Understand, at 0 ms for 400 ms"
    # C's row reads in words too: its turn, and each kind's count and total
    assert page.locator("#timeline-C .tl-turn").inner_text() == "1000 ms"
    kinds = page.locator("#timeline-C .kind-sum").all_inner_texts()
    assert kinds == ["model 2× 350 ms", "Lambda 1× 100 ms", "states 1× 400 ms", "steps 1× 500 ms"]
    # A body without a trace says so, and still shows the turn's total
    assert page.locator("#timeline-D .no-trace").count() == 1
    assert page.locator("#timeline-D .lane[data-kind=total] .bar").count() == 1
    assert page.locator("#column-D .trace-text").inner_text() == "This response carries no trace."
    # A's real answer has its own trace, drawn on C's axis (A took far less)
    assert page.locator("#timeline-A .no-trace").count() == 0
    assert page.locator("#timeline-A .lane[data-kind=model_call] .bar").count() == 1
    a_style = page.locator("#timeline-A .lane[data-kind=total] .bar").get_attribute("style")
    a_duration = int(page.locator("#timeline-A .tl-turn").inner_text()[:-3])
    assert percent(a_style, "width") == pytest.approx(100 * a_duration / scale, abs=0.01)
    # Unticked patterns have neither a column nor a timeline
    assert page.locator("#column-B").is_hidden() and page.locator("#timeline-B").is_hidden()
    # E's error is shown in E's column, with status and code
    e_column = page.locator("#column-E")
    assert e_column.get_attribute("data-state") == "error"
    assert "HTTP 503 model_not_configured" in e_column.locator(".status").inner_text()
    assert "No model is configured." in e_column.locator(".transcript").inner_text()
    assert "the turn failed (model_not_configured)" in page.locator("#timeline-E").inner_text()
    assert "failed: E" in page.get_by_role("status").inner_text()
