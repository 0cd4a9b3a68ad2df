"""`patterns`: run the orchestration patterns on this machine, through the real handlers.

    patterns chat A "Book tomorrow at 3pm" [--session ID] [--user ID] [--json]
    patterns chat E [--json]              a conversation: typed, or one message per piped line
    patterns compare ["message"]          every pattern, same message, same empty courts
    patterns serve [--port 8000]          http://127.0.0.1:8000/{a..h}/chat and /health
    patterns bench [--patterns A,D] [--json]   cold imports, DynamoDB/model calls, latency, synth
    patterns eval [--patterns A,D] [--repeat N] [--json]   scenario suite, judged by the store
    patterns bookings [--user U] [--date YYYY-MM-DD] [--json]   the local store's bookings
    patterns smoke --stack PatternD       check a deployed stack (SigV4-signed requests)
    patterns reset                        forget every local booking and session

With no OPENAI_API_KEY the model is the offline stand-in — a rule-based test double, said so
on every run. Handler logs go to stderr, as they would go to CloudWatch; stdout carries only
the command's output, so `--json` can be piped.
"""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import sys
from typing import TextIO

from local.events import caller_arn
from local.paths import scratch_state
from local.patterns import PATTERNS, pattern
from local.runtime import HttpResult, LocalRuntime


def _summary(result: HttpResult) -> str:
    body = result.body
    if "error" in body:
        return f"HTTP {result.status} {body['error']['code']}: {body['error']['message']}"
    usage = body["usage"]
    tools = ", ".join(usage["tool_calls"]) or "none"
    booking = body["booking"]
    lines = [
        f"reply:   {body['reply']}",
        f"booking: {booking['booking_id'] if booking else '-'}",
        f"session: {body['session_id']}",
        f"usage:   llm_calls={usage['llm_calls']} tool_calls=[{tools}] "
        f"tokens={usage['input_tokens']}/{usage['output_tokens']} "
        f"lambda_invocations={usage['lambda_invocations']} "
        f"state_transitions={usage['state_transitions']} duration_ms={usage['duration_ms']}",
    ]
    return "\n".join(lines)


def cmd_chat(args: argparse.Namespace, out: TextIO) -> int:
    spec = pattern(args.pattern)
    with LocalRuntime() as runtime:
        print(f"[{spec.id}] {spec.name} — {runtime.model_label}", file=sys.stderr)
        if spec.local_note:
            print(f"[{spec.id}] {spec.local_note}", file=sys.stderr)
        if args.message is None:
            return _conversation(runtime, spec.id, args, out)
        result = runtime.chat(spec.id, args.message, session_id=args.session, user=args.user)
    if args.json:
        print(json.dumps(result.body, indent=2), file=out)
    else:
        print(_summary(result), file=out)
    return 0 if result.status < 400 else 1


def _conversation(runtime: LocalRuntime, key: str, args: argparse.Namespace, out: TextIO) -> int:
    """`patterns chat X` without a message: a session in this process (local/chat_loop.py)."""
    from local.chat_loop import ChatLoop, terminal_lines

    interactive = sys.stdin.isatty()
    loop = ChatLoop(
        runtime,
        key,
        user=args.user,
        session_id=args.session,
        json_mode=args.json,
        interactive=interactive,
        bookings=lambda: _callers_bookings(runtime, args.user),
        warm=_import_handler,
    )
    lines = terminal_lines(lambda: f"{loop.pattern_id}> ") if interactive else sys.stdin
    return loop.run(lines, out, sys.stderr)


def _import_handler(key: str) -> None:
    """Import the pattern's handler now, so its first turn is not also its cold import."""
    importlib.import_module(pattern(key).handler.partition(":")[0])


def _callers_bookings(runtime: LocalRuntime, user: str) -> list[tuple[str, str, str, str]]:
    from booking.store import DynamoBookingStore
    from local.dynamodb import BOOKINGS_TABLE

    store = DynamoBookingStore(BOOKINGS_TABLE, runtime.database.client())
    mine = store.bookings_of(caller_arn(user))
    return [(b.date, b.time, b.court, b.booking_id) for b in sorted(mine, key=_when)]


def _when(booking) -> tuple[str, str, str]:
    return booking.date, booking.time, booking.court


def cmd_compare(args: argparse.Namespace, out: TextIO) -> int:
    keys = (
        [k.strip().upper() for k in args.patterns.split(",")] if args.patterns else list(PATTERNS)
    )
    failures = 0
    # Every pattern starts from the same empty courts, on a scratch database.
    with scratch_state(), LocalRuntime() as runtime:
        print(f"message: {args.message!r}\nmodel:   {runtime.model_label}", file=out)
        print("data:    a scratch database, emptied before each pattern\n", file=out)
        for key in keys:
            spec = pattern(key)
            runtime.fresh_tables()
            result = runtime.chat(spec.id, args.message, user=args.user)
            failures += result.status >= 400
            print(f"== {spec.id}: {spec.name} — {spec.who_decides}", file=out)
            if spec.local_note:
                print(f"   ({spec.local_note})", file=out)
            print(_summary(result) + "\n", file=out)
    return 1 if failures else 0


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    from local.server import make_server

    with LocalRuntime(advertise_database=True) as runtime:
        server = make_server(runtime, args.port)
        host, port = server.server_address[:2]
        print(f"model: {runtime.model_label}", file=out)
        for key, spec in PATTERNS.items():
            note = f"   ({spec.local_note})" if spec.local_note else ""
            print(f"  http://{host}:{port}/{key.lower()}/chat   /health{note}", file=out)
        print("Ctrl-C to stop.", file=out, flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0


def cmd_bench(args: argparse.Namespace, out: TextIO) -> int:
    from local.bench import default_keys, format_table, run_bench

    keys = [k.strip().upper() for k in args.patterns.split(",")] if args.patterns else None
    report = run_bench(
        keys or default_keys(),
        args.rounds,
        samples=args.samples,
        synth=not args.no_synth,
        progress=lambda step: print(f"bench: {step}", file=sys.stderr, flush=True),
    )
    print(json.dumps(report, indent=2) if args.json else format_table(report), file=out)
    failed = any(row["failures"] or row["turn"]["status"] >= 400 for row in report["patterns"])
    return 1 if failed else 0


def cmd_eval(args: argparse.Namespace, out: TextIO) -> int:
    from local.eval import all_passed, as_json, default_keys, format_report, run_eval

    keys = [k.strip().upper() for k in args.patterns.split(",")] if args.patterns else None
    for key in keys or []:
        pattern(key)  # an unknown pattern is refused before anything starts
    report = run_eval(keys or default_keys(), args.repeat)
    print(as_json(report) if args.json else format_report(report), file=out)
    return 0 if all_passed(report) else 1


def cmd_smoke(args: argparse.Namespace, out: TextIO) -> int:
    from local.smoke import http_sender, run_checks, stack_endpoint

    if args.url:
        url, auth_mode = args.url.rstrip("/"), "public" if args.unsigned else "iam"
    else:
        url, auth_mode = stack_endpoint(args.stack, args.region)
    pattern_id = args.stack.removeprefix("Pattern") if args.stack else None
    send = http_sender(url, sign=auth_mode != "public", region=args.region)
    checks = run_checks(send, pattern_id, book=args.book)
    for check in checks:
        print(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}", file=out)
    return 0 if all(check.ok for check in checks) else 1


def cmd_bookings(args: argparse.Namespace, out: TextIO) -> int:
    """The local store's bookings, read straight from the table (no handler, no model)."""
    from booking.errors import InvalidRequest
    from booking.models import parse_date
    from booking.store import DynamoBookingStore
    from local.dynamodb import BOOKINGS_TABLE, local_dynamodb

    try:
        day = parse_date(args.date).isoformat() if args.date else None
    except InvalidRequest as bad:
        print(f"patterns: {bad.message}", file=sys.stderr)
        return 2
    # Locally the caller is an IAM user ARN built from --user; accept either form.
    users = {args.user, caller_arn(args.user)} if args.user else None
    with local_dynamodb() as database:
        found = DynamoBookingStore(BOOKINGS_TABLE, database.client()).all_bookings()
    rows = [
        booking.public() | {"user_id": owner}
        for booking, owner in found
        if (users is None or owner in users) and (day is None or booking.date == day)
    ]
    if args.json:
        print(json.dumps(rows, indent=2), file=out)
    else:
        print(_bookings_table(rows), file=out)
    return 0


def _bookings_table(rows: list[dict]) -> str:
    if not rows:
        return "No bookings."
    local_user = caller_arn("")  # every local caller's id starts so: show just the name
    header = ("date", "time", "court", "user", "booking_id")
    lines = [
        (r["date"], r["time"], r["court"], r["user_id"].removeprefix(local_user), r["booking_id"])
        for r in rows
    ]
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [header, *lines]
    )


def cmd_reset(args: argparse.Namespace, out: TextIO) -> int:
    from local.dynamodb import local_dynamodb, reset

    with local_dynamodb() as database:
        emptied = reset(database)
    print(f"Local data reset ({emptied} tables emptied).", file=out)
    return 0


def positive_int(text: str) -> int:
    """A count given on the command line: a whole number of at least 1 (argparse reports the
    reason when it is not)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="patterns", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    chat = commands.add_parser(
        "chat", help="one turn through a pattern's real handler; no message: a conversation"
    )
    chat.add_argument("pattern", help=f"one of {', '.join(PATTERNS)}")
    chat.add_argument(
        "message", nargs="?", help="omit for a conversation (one message per line from a pipe)"
    )
    chat.add_argument("--session", help="session id, to continue a conversation")
    chat.add_argument("--user", default="local-user", help="the caller (default local-user)")
    chat.add_argument("--json", action="store_true", help="print the /chat response body")
    chat.set_defaults(run=cmd_chat)

    compare = commands.add_parser("compare", help="every pattern on the same message")
    compare.add_argument("message", nargs="?", default="Book tomorrow at 3pm")
    compare.add_argument("--patterns", help="comma-separated subset, e.g. A,D,E")
    compare.add_argument("--user", default="local-user")
    compare.set_defaults(run=cmd_compare)

    serve = commands.add_parser("serve", help="serve /{a..h}/chat on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(run=cmd_serve)

    bench = commands.add_parser("bench", help="measure cold imports, calls and latency")
    bench.add_argument("--patterns", help="comma-separated subset, e.g. A,D,E")
    bench.add_argument("--rounds", type=positive_int, default=3, help="scripted rounds of 3 turns")
    bench.add_argument(
        "--samples", type=positive_int, default=3, help="fresh interpreters per import and synth"
    )
    bench.add_argument("--no-synth", action="store_true", help="skip the synth comparison")
    bench.add_argument("--json", action="store_true", help="print the report as JSON")
    bench.set_defaults(run=cmd_bench)

    evaluate = commands.add_parser(
        "eval", help="scenario suite per pattern, judged by what was stored"
    )
    evaluate.add_argument("--patterns", help="comma-separated subset, e.g. A,D,E")
    evaluate.add_argument("--repeat", type=positive_int, default=1, help="runs of every scenario")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.set_defaults(run=cmd_eval)

    smoke = commands.add_parser("smoke", help="check a deployed pattern's HTTP contract")
    target = smoke.add_mutually_exclusive_group(required=True)
    target.add_argument("--stack", help="a deployed stack, e.g. PatternD (reads its ApiUrl)")
    target.add_argument("--url", help="an endpoint to check directly")
    smoke.add_argument("--region")
    smoke.add_argument("--unsigned", action="store_true", help="with --url: do not sign")
    smoke.add_argument("--book", action="store_true", help="also book, then cancel, a court")
    smoke.set_defaults(run=cmd_smoke)

    bookings = commands.add_parser("bookings", help="list the local store's bookings")
    bookings.add_argument("--user", help="only this caller's (a --user name, or a caller id)")
    bookings.add_argument("--date", help="only this day, YYYY-MM-DD")
    bookings.add_argument("--json", action="store_true", help="print a JSON array")
    bookings.set_defaults(run=cmd_bookings)

    reset_cmd = commands.add_parser("reset", help="delete all local bookings and sessions")
    reset_cmd.set_defaults(run=cmd_reset)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # A SIGTERM (a supervisor, `kill`) unwinds like Ctrl-C does, so the local DynamoDB server
    # and the offline model are stopped instead of left running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    out = sys.stdout
    # Handler loggers bind to sys.stdout when their modules are imported: point it at stderr
    # first, so logs never mix with the command's own output.
    sys.stdout = sys.stderr
    try:
        return args.run(args, out)
    except KeyError as exc:
        print(f"patterns: {exc.args[0]}", file=sys.stderr)
        return 2
    finally:
        sys.stdout = out


if __name__ == "__main__":
    sys.exit(main())
