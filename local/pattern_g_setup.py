"""Pattern G on this machine: its two specialist functions, invoked in-process.

The manager calls `boto3.client("lambda").invoke(FunctionName=...)` exactly as deployed; the
local runtime answers that call by running the real specialist handler in this process (and
counts the invocation). Only the function names differ from AWS, where they are ARNs.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from pattern_g.wiring import FUNCTION_SETTING, LOCAL_FUNCTION_NAMES, SPECIALIST_HANDLERS
from settings import env_key
from stacks import timeouts

if TYPE_CHECKING:
    from local.runtime import LocalRuntime


def setup(runtime: LocalRuntime) -> None:
    for key, name in LOCAL_FUNCTION_NAMES.items():
        module, _, function = SPECIALIST_HANDLERS[key].rpartition(".")
        runtime.register_function(
            name,
            f"pattern_g.{module}:{function}",
            timeout_seconds=timeouts.G_SPECIALIST_FUNCTION_SECONDS,
        )
        os.environ[env_key(FUNCTION_SETTING[key])] = name
