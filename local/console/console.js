// The patterns console: one message, sent to each chosen pattern's real /chat, shown side by
// side. Plain browser JavaScript on purpose (no build step, nothing from a CDN), served by
// `patterns serve` together with the pattern list from /console/config.
"use strict";

const KINDS = ["model_call", "tool_call", "lambda_invoke", "state", "step"];
const KIND_LABELS = {
  model_call: "model",
  tool_call: "tools",
  lambda_invoke: "Lambda",
  state: "states",
  step: "steps",
};

// Who decides which function runs next, drawn as the pattern's AWS shape (README diagrams).
// kind: aws = a managed AWS service, code = your code in Lambda, model = an LLM / agent.
const DIAGRAMS = {
  A: [
    { kind: "aws", label: "HTTP API" },
    { kind: "code", label: "Lambda", sub: "your code", decides: true },
    { kind: "model", label: "LLM", sub: "parses text, 1 call" },
  ],
  B: [
    { kind: "aws", label: "HTTP API" },
    { kind: "code", label: "Lambda", sub: "fixed steps 1→2→3→4", decides: true },
    { kind: "model", label: "LLM", sub: "inside 2 steps" },
  ],
  C: [
    { kind: "aws", label: "HTTP API" },
    { kind: "code", label: "API Lambda" },
    { kind: "aws", label: "Step Functions", sub: "Express, fixed states", decides: true },
    { kind: "code", label: "step Lambdas", sub: "LLM inside 2" },
  ],
  D: [
    { kind: "aws", label: "HTTP API" },
    { kind: "code", label: "Lambda", sub: "your loop runs tools, bounded" },
    { kind: "model", label: "LLM", sub: "proposes tool calls", decides: true },
  ],
  E: [
    { kind: "aws", label: "HTTP API" },
    { kind: "code", label: "Lambda", sub: "Agents SDK runner" },
    { kind: "model", label: "agent", sub: "picks tools", decides: true },
  ],
  F: [
    { kind: "aws", label: "HTTP API" },
    { kind: "code", label: "Lambda", sub: "one process" },
    { kind: "model", label: "manager agent", sub: "routes", decides: true },
    { kind: "model", label: "specialist agents", sub: "as tools" },
  ],
  G: [
    { kind: "aws", label: "HTTP API" },
    { kind: "code", label: "manager Lambda" },
    { kind: "model", label: "manager agent", sub: "routes", decides: true },
    { kind: "code", label: "specialist Lambdas", sub: "agents, lambda:Invoke" },
  ],
  H: [
    { kind: "aws", label: "HTTP API" },
    { kind: "code", label: "invoker Lambda" },
    { kind: "aws", label: "Bedrock Agent", sub: "AWS runs the loop", decides: true },
    { kind: "code", label: "action Lambda", sub: "your tools" },
  ],
};

const state = {
  config: null,
  sessions: {}, // pattern id -> session_id returned by the API (conversation mode)
  latest: {}, // pattern id -> the latest answer shown in its column
};

const $ = (selector, root = document) => root.querySelector(selector);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "style") node.style.cssText = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "role") {
      node.setAttribute(key, value);
    } else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function column(id) {
  return document.getElementById(`column-${id}`);
}

function row(id) {
  return document.getElementById(`timeline-${id}`);
}

// -- set-up ---------------------------------------------------------------------------------
async function init() {
  let config;
  try {
    const response = await fetch("/console/config");
    config = await response.json();
  } catch (error) {
    $("#columns").append(el("p", { class: "error" }, `Could not load /console/config: ${error}`));
    return;
  }
  state.config = config;
  showModel(config);
  const picks = $("#pattern-picks");
  for (const spec of config.patterns) {
    picks.append(
      el(
        "label",
        { class: "pick-one" },
        el("input", {
          type: "checkbox",
          name: "pattern",
          value: spec.id,
          checked: true,
          title: `${spec.id}: ${spec.name}`,
        }),
        ` ${spec.id}`,
      ),
    );
    $("#columns").append(buildColumn(spec));
    $("#strip").append(buildRow(spec));
  }
  picks.addEventListener("change", showChosenColumns);
  $("#send-form").addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  $("#new-conversation").addEventListener("click", newConversation);
  $("#shared-axis").addEventListener("change", renderAllTimelines);
  for (const radio of document.querySelectorAll("input[name=mode]")) {
    radio.addEventListener("change", modeChanged);
  }
  modeChanged();
  renderAllTimelines();
  document.body.dataset.ready = "true";
  $("#message").focus();
}

function showModel(config) {
  const banner = $("#model-banner");
  banner.hidden = false;
  if (config.offline) {
    banner.classList.add("offline");
    banner.textContent =
      "Offline stand-in model: a rule-based test double, not an LLM " +
      "(set OPENAI_API_KEY and restart `patterns serve` to use OpenAI).";
  } else {
    banner.textContent = `Model: ${config.model}`;
  }
}

function buildColumn(spec) {
  const node = $("#column-template").content.firstElementChild.cloneNode(true);
  node.id = `column-${spec.id}`;
  node.dataset.pattern = spec.id;
  node.setAttribute("aria-labelledby", `column-${spec.id}-title`);
  $("h3", node).id = `column-${spec.id}-title`;
  $(".letter", node).textContent = spec.id;
  $(".name", node).textContent = spec.name;
  $(".who", node).textContent = `Decides: ${spec.who_decides}`;
  if (spec.local_note) {
    const note = $(".local-note", node);
    note.hidden = false;
    note.textContent = `Locally: ${spec.local_note}.`;
  }
  drawDiagram($(".diagram", node), spec);
  return node;
}

// A pattern's row in the timelines strip; its name links to the pattern's column below.
function buildRow(spec) {
  const node = $("#row-template").content.firstElementChild.cloneNode(true);
  node.id = `timeline-${spec.id}`;
  node.dataset.pattern = spec.id;
  const name = $(".tl-name", node);
  name.href = `#column-${spec.id}`;
  name.title = `${spec.id}: ${spec.name} (its reply, bookings and usage below)`;
  $(".letter", name).textContent = spec.id;
  $(".name", name).textContent = spec.name;
  renderRow(node, null, 1);
  return node;
}

function drawDiagram(figure, spec) {
  const nodes = DIAGRAMS[spec.id] || [];
  const described = nodes
    .map((n) => `${n.label}${n.sub ? ` (${n.sub})` : ""}${n.decides ? ", decides" : ""}`)
    .join(" → ");
  figure.setAttribute("aria-label", `Pattern ${spec.id}: ${described}`);
  nodes.forEach((n, index) => {
    // The arrow travels with the box it points to, so a wrapped diagram never ends in "→".
    figure.append(
      el(
        "span",
        { class: "hop", "aria-hidden": "true" },
        index > 0 ? el("span", { class: "arrow" }, "→") : null,
        el(
          "span",
          { class: `node node-${n.kind}${n.decides ? " decides" : ""}` },
          el("span", { class: "node-label" }, n.label),
          n.sub ? el("span", { class: "node-sub" }, n.sub) : null,
        ),
      ),
    );
  });
}

// -- controls -------------------------------------------------------------------------------
function chosenPatterns() {
  return [...document.querySelectorAll("input[name=pattern]:checked")].map((box) => box.value);
}

function mode() {
  return $("input[name=mode]:checked").value;
}

function showChosenColumns() {
  const chosen = new Set(chosenPatterns());
  for (const spec of state.config.patterns) {
    column(spec.id).hidden = !chosen.has(spec.id);
    row(spec.id).hidden = !chosen.has(spec.id);
  }
  renderAllTimelines();
}

// What each mode means, as send() and the server do it: in conversation every pattern's turn
// goes to the server's one store under the one Caller, all at once; scratch turns go to the
// scratch lane, which empties its courts before each turn and runs them one at a time.
const MODE_NOTES = {
  conversation:
    "Conversation: each pattern keeps its own session, but every ticked pattern books in " +
    "your one store as the same Caller, all at once. The first to book a time gets the court; the " +
    "others then answer that you already hold a court at that time. To compare them from " +
    "the same start, use same empty courts.",
  scratch:
    "Same empty courts: each pattern's turn runs on its own, one after another, on scratch " +
    "courts emptied before it, so every pattern starts from the same empty courts; no session " +
    "is kept, and your own bookings are left alone.",
};

function modeChanged() {
  // Scratch turns start from empty courts every time: there is no conversation to continue.
  $("#new-conversation").disabled = mode() === "scratch";
  $("#mode-note").textContent = MODE_NOTES[mode()];
}

function newConversation() {
  state.sessions = {};
  state.latest = {};
  for (const spec of state.config.patterns) {
    const node = column(spec.id);
    delete node.dataset.session;
    $(".transcript", node).replaceChildren();
    $(".effects", node).replaceChildren();
    $(".usage", node).replaceChildren();
    $(".trace-text", node).replaceChildren();
    setStatus(node, "New conversation: the next message starts a new session.");
  }
  renderAllTimelines();
  $("#message").focus();
}

function setStatus(node, text, kind = "") {
  const status = $(".status", node);
  status.textContent = text;
  status.className = `status ${kind}`.trim();
}

// -- sending --------------------------------------------------------------------------------
async function send() {
  const message = $("#message").value;
  const chosen = chosenPatterns();
  if (chosen.length === 0) {
    $("#pattern-picks input").focus();
    return;
  }
  const scratch = mode() === "scratch";
  const caller = $("#caller").value.trim() || "local-user";
  const button = $("#send");
  button.disabled = true;
  document.body.dataset.busy = "true";
  const count = `${chosen.length} pattern${chosen.length === 1 ? "" : "s"}`;
  $("#run-status").textContent = `Sending to ${count}…`;
  const started = performance.now();
  await Promise.all(chosen.map((id) => sendOne(id, message, { scratch, caller })));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const failed = chosen.filter((id) => column(id).dataset.state === "error");
  $("#run-status").textContent =
    `${count} answered in ${seconds} s` +
    (failed.length ? `; failed: ${failed.join(", ")}.` : ", none failed.");
  button.disabled = false;
  delete document.body.dataset.busy;
}

async function sendOne(id, message, { scratch, caller }) {
  const node = column(id);
  node.dataset.state = "waiting";
  setStatus(node, scratch ? "Waiting (scratch turns run one after another)…" : "Waiting…");
  const body = { message };
  if (!scratch && state.sessions[id]) body.session_id = state.sessions[id];
  const url = scratch ? `/console/scratch/${id.toLowerCase()}/chat` : `/${id.toLowerCase()}/chat`;
  let answer;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-patterns-trace": "1",
        "x-patterns-user": caller,
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = { error: { code: "not_json", message: text.slice(0, 300) || "(empty body)" } };
    }
    answer = {
      status: response.status,
      body: json,
      model: response.headers.get("x-patterns-model"),
      scratch,
    };
  } catch (error) {
    answer = {
      status: 0,
      body: { error: { code: "network_error", message: String(error) } },
      scratch,
    };
  }
  if (!scratch && answer.status === 200 && answer.body.session_id) {
    state.sessions[id] = answer.body.session_id;
    node.dataset.session = answer.body.session_id;
  }
  state.latest[id] = answer;
  showAnswer(node, message, answer);
  renderAllTimelines();
}

// -- showing an answer ----------------------------------------------------------------------
function showAnswer(node, message, answer) {
  const body = answer.body || {};
  const transcript = $(".transcript", node);
  // Each scratch turn stands alone, and is no part of the conversation that may follow it.
  if (answer.scratch) transcript.replaceChildren();
  else for (const item of transcript.querySelectorAll("li.scratch")) item.remove();
  transcript.append(el("li", { class: "you" }, el("b", {}, "you: "), message));
  const ok = answer.status >= 200 && answer.status < 300 && !body.error;
  node.dataset.state = ok ? "ok" : "error";
  if (ok) {
    const tags = [];
    if (answer.model === "offline-stand-in") tags.push("offline stand-in");
    if (answer.scratch) tags.push("scratch data");
    transcript.append(
      el(
        "li",
        { class: "reply" },
        el("b", {}, `${body.pattern || node.dataset.pattern}: `),
        withWholeIds(body.reply || ""),
      ),
    );
    // A scratch turn's session ends with it; a conversation's is worth seeing.
    const session = body.session_id && !answer.scratch ? ` · session ${body.session_id.slice(0, 8)}` : "";
    setStatus(node, `HTTP ${answer.status}${tags.length ? ` · ${tags.join(" · ")}` : ""}${session}`);
  } else {
    const error = body.error || { code: "unknown", message: JSON.stringify(body) };
    const status = answer.status ? `HTTP ${answer.status}` : "No response";
    transcript.append(
      el("li", { class: "error-reply" }, el("b", {}, `${status} ${error.code}: `), error.message),
    );
    setStatus(node, `${status} ${error.code}`, "error");
  }
  if (answer.scratch) for (const item of transcript.children) item.classList.add("scratch");
  transcript.scrollTop = transcript.scrollHeight; // the latest exchange, without moving the page
  showEffects($(".effects", node), body);
  showUsage($(".usage", node), body.usage);
  showTraceText($(".trace-text", node), body);
}

// A booking id ("2026-11-25_CourtA_1500.e97cf617": slot id, '.', request) is kept whole: the
// line may break only after its '.', never inside "2026-11-" as a hyphen would let it.
const BOOKING_ID = /\d{4}-\d{2}-\d{2}_\S+?_\d{4}(?:\.[\w-]+)?/g;

function wholeId(id) {
  const dot = id.indexOf(".");
  const parts = dot === -1 ? [id] : [id.slice(0, dot + 1), id.slice(dot + 1)];
  const node = el("span", { class: "booking-id", title: id });
  parts.forEach((part, index) => {
    if (index) node.append(el("wbr"));
    node.append(el("span", { class: "nowrap" }, part));
  });
  return node;
}

function withWholeIds(text) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(BOOKING_ID)) {
    nodes.push(text.slice(last, match.index), wholeId(match[0]));
    last = match.index + match[0].length;
  }
  nodes.push(text.slice(last));
  return nodes.filter((part) => part !== "");
}

function bookingText(booking) {
  const when = [booking.court, booking.date, booking.time].filter(Boolean).join(" · ");
  return [`${when || booking.slot_id} (`, wholeId(booking.booking_id), ")"];
}

function showEffects(container, body) {
  container.replaceChildren();
  const bookings = body.bookings || (body.booking ? [body.booking] : []);
  const cancellations = body.cancellations || [];
  if (bookings.length === 0 && cancellations.length === 0) {
    if (!body.error) container.append(el("p", { class: "none" }, "Nothing booked or cancelled."));
    return;
  }
  if (bookings.length) {
    container.append(
      el("h4", {}, `Booked (${bookings.length})`),
      el("ul", { class: "bookings" }, bookings.map((b) => el("li", {}, bookingText(b)))),
    );
  }
  if (cancellations.length) {
    container.append(
      el("h4", {}, `Cancelled (${cancellations.length})`),
      el(
        "ul",
        { class: "cancellations" },
        cancellations.map((b) => el("li", {}, typeof b === "string" ? withWholeIds(b) : bookingText(b))),
      ),
    );
  }
}

function figure(value) {
  return value === null || value === undefined ? "n/a" : String(value);
}

function showUsage(list, usage) {
  list.replaceChildren();
  if (!usage) return;
  const tools = Array.isArray(usage.tool_calls) ? usage.tool_calls : null;
  const tokens =
    usage.input_tokens === null && usage.output_tokens === null
      ? "n/a"
      : `${figure(usage.input_tokens)} / ${figure(usage.output_tokens)}`;
  const rows = [
    ["LLM calls", figure(usage.llm_calls)],
    ["tool calls", tools ? String(tools.length) : figure(usage.tool_calls), tools?.join(", ")],
    ["tokens in / out", tokens],
    ["Lambda invocations", figure(usage.lambda_invocations)],
    ["state transitions", figure(usage.state_transitions)],
    ["duration", usage.duration_ms === null ? "n/a" : `${usage.duration_ms} ms`],
  ];
  for (const [name, value, detail] of rows) {
    list.append(
      el(
        "div",
        { class: "figure" },
        el("dt", {}, name),
        el("dd", { title: detail || (value === "n/a" ? "not observable by this pattern" : "") }, value),
      ),
    );
  }
  if (tools && tools.length) {
    list.append(el("div", { class: "figure wide" }, el("dt", {}, "tools"), el("dd", {}, tools.join(", "))));
  }
}

// -- timelines: a strip with a row per pattern, on one time axis ----------------------------
function turnLength(answer) {
  const body = answer?.body || {};
  let end = body.usage?.duration_ms || 0;
  for (const event of Array.isArray(body.trace) ? body.trace : []) {
    end = Math.max(end, (event.at_ms || 0) + (event.duration_ms || 0));
  }
  return end;
}

function niceScale(ms) {
  if (ms <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(ms));
  // Steps fine enough that the longest turn fills at least three quarters of the axis, whose
  // quarters (the gridlines) are round numbers.
  for (const tenths of [10, 12, 16, 20, 24, 30, 40, 50, 60, 80, 100]) {
    if (ms <= (tenths * power) / 10) return (tenths * power) / 10;
  }
  return 10 * power;
}

function ms(value) {
  return value >= 10000 ? `${(value / 1000).toFixed(1)} s` : `${value} ms`;
}

// One axis for every row (compare the patterns' times), or each row on its own turn's length
// (see inside a fast turn when a slow one shares the strip). Each row says its turn's length
// and each kind's total in words either way, so a sliver of a bar still reads.
function renderAllTimelines() {
  if (!state.config) return;
  const shown = state.config.patterns.map((s) => s.id).filter((id) => !column(id).hidden);
  const shared = $("#shared-axis").checked;
  const scale = niceScale(Math.max(0, ...shown.map((id) => turnLength(state.latest[id]))));
  for (const id of shown) {
    const own = Math.max(1, turnLength(state.latest[id])); // the turn fills its own row
    renderRow(row(id), state.latest[id], shared ? scale : own);
  }
  const ticks = $("#axis-ticks");
  const note = $("#scale-note");
  const sent = Object.keys(state.latest).length > 0;
  if (shared && sent) {
    ticks.replaceChildren(...[0, 1, 2, 3, 4].map((q) => el("span", {}, q ? ms((scale * q) / 4) : "0")));
    note.textContent = `Timelines share one axis: 0 to ${scale} ms.`;
  } else if (sent) {
    ticks.replaceChildren(el("span", {}, "0"), el("span", {}, "each row: 0 to its own turn's length"));
    note.textContent = "Each timeline on its own turn's axis (not comparable across rows).";
  } else {
    ticks.replaceChildren(el("span", {}, "time →"));
    note.textContent = "";
  }
}

function pct(value, scale) {
  return `${Math.max(0, Math.min(100, (100 * value) / scale)).toFixed(2)}%`;
}

// Bars of one lane that overlap in time (an agent's run around a specialist's, say) go on
// separate rows, so each stays visible: the first row whose last bar has ended.
function rowsOf(events) {
  const ends = [];
  return events.map((event) => {
    const start = event.at_ms || 0;
    // 1 ms of slack: times are rounded to whole ms, so one step may seem to start before the
    // previous one ended.
    let line = ends.findIndex((end) => end <= start + 1);
    if (line === -1) line = ends.push(0) - 1;
    ends[line] = start + (event.duration_ms || 0);
    return line;
  });
}

function detailText(detail) {
  if (!detail || typeof detail !== "object") return "";
  const parts = [];
  for (const [key, value] of Object.entries(detail)) {
    if (value === null || value === undefined) continue;
    const text = typeof value === "string" ? value : JSON.stringify(value);
    parts.push(`${key.replaceAll("_", " ")} ${text}`);
  }
  return parts.join(", ").slice(0, 240);
}

function eventLabel(event) {
  const what = `${KIND_LABELS[event.kind] || event.kind}: ${event.name || event.kind}`;
  const detail = detailText(event.detail);
  return `${what}, at ${event.at_ms} ms for ${event.duration_ms} ms${detail ? ` (${detail})` : ""}`;
}

function renderRow(node, answer, scale) {
  const turn = $(".tl-turn", node);
  const track = $(".tl-track", node);
  const kinds = $(".tl-kinds", node);
  turn.textContent = "";
  kinds.replaceChildren();
  const body = answer?.body;
  if (!body || body.error) {
    node.dataset.state = body ? "error" : "none";
    const code = body?.error?.code;
    track.replaceChildren(
      el("p", { class: body ? "none error" : "none" }, body ? `No timeline: the turn failed (${code}).` : "No turn yet."),
    );
    return;
  }
  node.dataset.state = "ok";
  const duration = body.usage?.duration_ms;
  turn.textContent = duration === null || duration === undefined ? "n/a" : ms(duration);
  const trace = Array.isArray(body.trace) ? body.trace : null;
  const lanes = el("div", { class: "lanes" });
  for (const kind of KINDS) {
    const events = (trace || []).filter((event) => event.kind === kind);
    const lines = rowsOf(events);
    const height = Math.max(1, ...lines.map((line) => line + 1));
    const lane = el("div", { class: "lane track", "data-kind": kind, style: `--rows:${height}` });
    events.forEach((event, index) => {
      lane.append(
        el("span", {
          class: `bar kind-${kind}`,
          style:
            `left:${pct(event.at_ms || 0, scale)};width:${pct(event.duration_ms || 0, scale)};` +
            `--row:${lines[index]}`,
          title: eventLabel(event), // its accessible name too (an aria-label would match "Message")
          role: "img",
        }),
      );
    });
    lanes.append(lane);
    if (events.length) {
      const total = events.reduce((sum, event) => sum + (event.duration_ms || 0), 0);
      kinds.append(
        el(
          "span",
          { class: "kind-sum", "data-kind": kind },
          el("span", { class: `swatch kind-${kind}` }),
          `${KIND_LABELS[kind]} ${events.length}× ${ms(total)}`,
        ),
      );
    }
  }
  lanes.append(
    el(
      "div",
      { class: "lane track", "data-kind": "total" },
      duration === null || duration === undefined
        ? null
        : el("span", {
            class: "bar kind-total",
            style: `left:0;width:${pct(duration, scale)}`,
            title: `whole turn: ${duration} ms`,
            role: "img",
          }),
    ),
  );
  track.replaceChildren(lanes);
  if (!trace) {
    track.append(el("p", { class: "no-trace" }, "No trace: only the turn's total time."));
  }
}

// The trace as text, in order, in the pattern's column: what a screen reader or a keyboard
// user reads instead of the bars.
function showTraceText(box, body) {
  box.replaceChildren();
  const trace = Array.isArray(body.trace) ? body.trace : null;
  if (body.error) return;
  if (!trace) {
    box.append(el("p", { class: "none" }, "This response carries no trace."));
    return;
  }
  box.append(
    el(
      "details",
      { class: "trace-list" },
      el("summary", {}, `Trace as text (${trace.length} event${trace.length === 1 ? "" : "s"})`),
      el("ol", {}, trace.map((event) => el("li", { class: `kind-text-${event.kind}` }, eventLabel(event)))),
    ),
  );
}

document.addEventListener("DOMContentLoaded", init);
