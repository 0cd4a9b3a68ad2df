"""Lambda SnapStart for Python: what a function does before its snapshot and after a restore.

With SnapStart on (`-c snapstart=…`, see `stacks/constants.py`), Lambda runs a function's INIT
once, when a version is published, snapshots the memory, and starts new containers by resuming
that snapshot. So:

* before the snapshot (`register_before_snapshot`): the modules are imported (the handler
  module did that) and `warm` builds the collaborators — AWS clients and the booking service —
  so botocore's service models and endpoint data are parsed into the snapshot; a function that
  calls the model also imports the SDK's request path (`model.client.load_request_path`: its
  endpoints and httpx2's transport), which the SDK otherwise imports on the first call. No
  secret is read and no model client built: the OpenAI key is fetched on first use, after a
  restore.
* after every restore (`register_after_restore`): `collaborators.reset()` forgets every
  per-container client, so each container opens its own connections with its own credentials
  on first use (a connection pool from the snapshot would be shared by every container resumed
  from it, and is long closed), and `random.seed()` gives each container its own randomness
  (many containers resume one snapshot, one random state).

`snapshot_restore_py` ships only inside the Lambda Python runtime; elsewhere (locally, in
tests) `install` registers nothing and the hooks are plain functions a test can call.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable


def _runtime_hooks():
    """(register_before_snapshot, register_after_restore), or None outside Lambda."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        return None
    return register_before_snapshot, register_after_restore


def before_snapshot(warm: Iterable[Callable[[], object]] = ()) -> None:
    """Build what every request uses, so it is in the snapshot."""
    for build in warm:
        build()


def after_restore() -> None:
    """Make this container's own clients and randomness (see the module docstring)."""
    from pattern_core import collaborators

    collaborators.reset()
    random.seed()


def install(*, warm: Iterable[Callable[[], object]] = ()) -> bool:
    """Register the hooks with the Lambda runtime; False where there is none. Without SnapStart
    on the function they never run, so registering them costs nothing."""
    hooks = _runtime_hooks()
    if hooks is None:
        return False
    register_before_snapshot, register_after_restore = hooks
    register_before_snapshot(before_snapshot, tuple(warm))
    register_after_restore(after_restore)
    return True
