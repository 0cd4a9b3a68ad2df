"""How every Lambda entry point is made: Powertools logging, X-Ray tracing only when it is on,
the SnapStart hooks, and the end of the INIT phase (`pattern_core.init_phase`).

Each function imports what its job needs when its module loads (in Lambda's INIT phase, which
runs at full CPU and, with SnapStart, goes into the snapshot) and nothing else: the tracer
and the X-Ray SDK load only where tracing is on — deployed, with `Tracing.ACTIVE` — never
locally or in tests, where Powertools would disable them anyway. Even there the tracer patches
botocore alone (`TRACED_LIBRARIES`), not every library the X-Ray SDK knows: its `patch_all`
would import `requests`, `sqlite3` and the rest just to patch them, though no function calls
them (the model SDK speaks through httpx2, which the SDK's `httpx` patch does not reach).

`chat_handler(pattern, orchestrate)` is the whole entry point of a chat function (patterns
A-H behind the HTTP API): the resolver of the HTTP contract around the pattern's
`orchestrate(turn)`, so the handler modules hold only what differs between the patterns.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools import Logger

from pattern_core import init_phase, snapstart
from pattern_core.collaborators import per_container
from settings import Settings

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

    from pattern_core.contract.http import ChatResolver
    from pattern_core.contract.turn import ChatOutcome, ChatTurn

# The libraries whose calls become X-Ray subsegments: botocore carries every AWS call the
# functions make (DynamoDB, Secrets Manager, Step Functions, Lambda, Bedrock).
TRACED_LIBRARIES = ("botocore",)

F = TypeVar("F", bound=Callable[..., Any])
Handler = Callable[[dict, Any], Any]

logger = Logger()


def tracing_enabled() -> bool:
    """Powertools' own rule: on inside Lambda unless POWERTOOLS_TRACE_DISABLED says otherwise;
    off outside Lambda and in SAM's or Chalice's local emulators."""
    settings = Settings.from_env()
    if settings.powertools_trace_disabled:
        return False
    in_lambda = bool(settings.lambda_task_root)
    emulated = bool(settings.aws_sam_local or settings.aws_chalice_cli_mode)
    return in_lambda and not emulated


@per_container
def tracer() -> Tracer | None:
    """The process's tracer where tracing is on, patching only `TRACED_LIBRARIES`; else None
    (and the X-Ray SDK stays unloaded)."""
    if not tracing_enabled():
        return None
    from aws_lambda_powertools import Tracer

    return Tracer(patch_modules=TRACED_LIBRARIES)


def traced(function: F) -> F:
    """`tracer.capture_method` where tracing is on; the function itself otherwise."""
    active = tracer()
    return function if active is None else active.capture_method(function)


def lambda_entry(function: Handler) -> Handler:
    """A Lambda handler with the request's context in every log line (cleared per request)
    and, where tracing is on, its own X-Ray subsegment."""
    active = tracer()
    if active is not None:
        function = active.capture_lambda_handler(function)
    return logger.inject_lambda_context(clear_state=True)(function)


def prepare_function(
    *, imports: Iterable[str] = (), warm: Iterable[Callable[[], object]] = ()
) -> None:
    """Import now what every request of this function uses (`imports`: modules the code only
    loads where it is used, like the model SDK), and register the SnapStart hooks: `warm`
    builds the collaborators before the snapshot; a restore makes them anew. A function that
    has loaded the model SDK by now calls the model, so its warm-up also imports the SDK's
    request path (`model.client.load_request_path`) — into the snapshot, not into the first
    turn after a restore, and not into the module's import either (without SnapStart the
    hook never runs).

    Every function module ends with this call, so it also ends the INIT phase that the
    function's package began (`init_phase.end`: what loaded is frozen, the collector resumes)."""
    for name in imports:
        importlib.import_module(name)
    warm = tuple(warm)
    if "openai" in sys.modules:
        from pattern_core.model.client import load_request_path

        warm += (load_request_path,)
    snapstart.install(warm=warm)
    init_phase.end()


def chat_handler(
    pattern: str,
    orchestrate: Callable[[ChatTurn], ChatOutcome],
    *,
    imports: Iterable[str] = (),
    warm: Iterable[Callable[[], object]] = (),
) -> tuple[ChatResolver, Handler]:
    """(app, handler) of a chat function: the HTTP contract's resolver around `orchestrate`
    (traced where tracing is on) and the Lambda handler that runs it."""
    # Here, not at the top: the step, specialist and action functions use this module without
    # the HTTP contract.
    from pattern_core.contract.http import build_chat_app

    app = build_chat_app(pattern, traced(orchestrate))

    def handler(event: dict, context: Any) -> dict:
        return app.resolve(event, context)

    prepare_function(imports=imports, warm=warm)
    return app, lambda_entry(handler)
