"""Where the project and its local state live."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def state_dir() -> Path:
    """`.patterns/` in the project (override with PATTERNS_HOME): bookings, caches, pid files."""
    path = Path(os.environ.get("PATTERNS_HOME") or PROJECT_ROOT / ".patterns")
    path.mkdir(parents=True, exist_ok=True)
    return path
