"""A function's INIT phase in Lambda: the garbage collector rests while the modules load, and
what they built is frozen out of its way.

Loading the model SDK — and for D-G the Agents SDK, about 180,000 objects — allocates enough
to set off several full collections of Python's cyclic garbage collector, each walking every
object loaded so far, for next to nothing: importing pattern E's handler runs about 390
collections, three of them full, which take 0.28-0.33 s of its ~2 s on 2 cores (12 ms with
the collector paused), and leaves about 1,300 unreachable objects (under 1 MB) behind when
the collector is off. So INIT is bracketed:

* `begin()` — called by each function's package (`lambdas/pattern_x/__init__.py`), which
  Python imports before the handler module Lambda names — turns the collector off;
* `end()` — called by `contract.entry.prepare_function`, the last statement of every function
  module — moves everything INIT built (modules, schemas, clients: objects that live as long
  as the container) into the permanent generation with `gc.freeze()` and turns the collector
  back on. Collections during requests then walk only what requests allocate.

This is the sequence `gc.freeze`'s documentation gives (disable early, freeze, enable). It
applies in Lambda only (`LAMBDA_TASK_ROOT` set, as by the runtime): locally and in tests one
long process imports many functions, and the collector keeps Python's defaults there.
"""

from __future__ import annotations

import gc

from settings import Settings

_paused = False


def begin() -> None:
    """Pause the collector until `end()`, in Lambda; elsewhere, or if already paused, nothing."""
    global _paused
    if _paused or not gc.isenabled() or not Settings.from_env().lambda_task_root:
        return
    gc.disable()
    _paused = True


def end() -> None:
    """Freeze what INIT built and resume the collector, if `begin()` paused it."""
    global _paused
    if not _paused:
        return
    gc.freeze()
    gc.enable()
    _paused = False
