"""Where the project and its local state live."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def state_dir() -> Path:
    """`.patterns/` in the project (override with PATTERNS_HOME): bookings, caches, pid files."""
    path = Path(os.environ.get("PATTERNS_HOME") or PROJECT_ROOT / ".patterns")
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def scratch_state() -> Iterator[Path]:
    """A throw-away state directory for the block (compare, bench): your bookings stay as
    they are, and nothing the block books outlives it."""
    previous = os.environ.get("PATTERNS_HOME")
    with tempfile.TemporaryDirectory(prefix="patterns-scratch-") as home:
        os.environ["PATTERNS_HOME"] = home
        try:
            yield Path(home)
        finally:
            if previous is None:
                os.environ.pop("PATTERNS_HOME", None)
            else:
                os.environ["PATTERNS_HOME"] = previous
