"""What a function loads at INIT and before its snapshot: the tracer patches botocore alone,
SnapStart's warm-up imports the model SDK's request path without reading a secret, and the
garbage collector rests while a deployed function's modules load.

The import-time checks run in a fresh interpreter each (this test process has long imported
everything, and patching botocore here would trace every other test's AWS calls)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from pattern_core.contract import entry
from pattern_core.model.client import REQUEST_PATH, load_request_path

# The packages of the model SDK's request path: anything of theirs that a first call imports
# after the warm-up is a first turn after a restore paying for an import.
REQUEST_PACKAGES = ("openai", "httpx2", "httpcore2", "h11", "truststore", "anyio", "jiter")

SNAPSHOTS = Path(__file__).parents[1] / "infrastructure" / "snapshots"
IN_LAMBDA = {
    "LAMBDA_TASK_ROOT": os.getcwd(),
    "AWS_LAMBDA_FUNCTION_NAME": "pattern-e-chat",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
}


def deployed_function_modules() -> list[str]:
    """The module of every Lambda function the stacks deploy, from the template snapshots
    (which the snapshot test holds to the synthesized stacks)."""
    modules = set()
    for snapshot in SNAPSHOTS.glob("Pattern?.template.json"):
        for resource in json.loads(snapshot.read_text())["Resources"].values():
            if resource["Type"] == "AWS::Lambda::Function":
                modules.add(resource["Properties"]["Handler"].rpartition(".")[0])
    return sorted(modules)


def run_fresh(code: str, **env: str) -> dict:
    """Run `code` in a fresh interpreter with `env` on top of this one's environment (less
    the OpenAI key and the tracing switch); returns the JSON it prints last."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENAI_API_KEY", "POWERTOOLS_TRACE_DISABLED", "OPENAI_API_KEY_SECRET_ARN")
    }
    environment |= env
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_in_lambda_the_tracer_patches_botocore_and_imports_no_library_it_does_not_trace():
    seen = run_fresh(
        """
        import json, sys
        from pattern_core.contract.entry import tracer
        import botocore.client

        active = tracer()
        print(json.dumps({
            "tracer": active is not None,
            "botocore_patched": hasattr(botocore.client.BaseClient._make_api_call, "__wrapped__"),
            "imported": [m for m in ("requests", "sqlite3", "httpx") if m in sys.modules],
        }))
        """,
        **IN_LAMBDA,
    )
    assert seen == {"tracer": True, "botocore_patched": True, "imported": []}


def test_the_warm_up_imports_the_request_path_and_reads_no_secret():
    seen = run_fresh(
        """
        import json, sys
        import openai
        before = set(sys.modules)
        from pattern_core.model import client

        client.load_request_path()
        print(json.dumps({
            "loaded": [m for m in client.REQUEST_PATH if m in sys.modules],
            "already": [m for m in client.REQUEST_PATH if m in before],
            "new": len(set(sys.modules) - before),
            "key_read": client.openai_api_key.cache_info().currsize,
            "client_built": client.openai_client.cache_info().currsize,
            "secrets_client": "aws_lambda_powertools.utilities.parameters" in sys.modules,
        }))
        """,
        OPENAI_API_KEY_SECRET_ARN=(
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:patterns/openai-api-key-AbCdEf"
        ),
        AWS_DEFAULT_REGION="us-east-1",
    )
    assert seen["loaded"] == list(REQUEST_PATH)
    assert "openai.resources.responses.responses" not in seen["already"]  # `import openai` is lazy
    assert seen["new"] > len(REQUEST_PATH)  # the endpoints and the transport, not only names
    assert seen["key_read"] == seen["client_built"] == 0
    assert seen["secrets_client"] is False


def test_after_the_warm_up_a_first_model_call_imports_nothing_of_the_request_path():
    seen = run_fresh(
        """
        import asyncio, json, sys
        from local.offline_model.server import start_offline_model
        from pattern_core.model.client import load_request_path
        import openai

        server = start_offline_model()
        load_request_path()
        before = set(sys.modules)

        async def agent_call():  # how the Agents SDK calls: async, Responses API
            model = openai.AsyncOpenAI(api_key="sk-test", base_url=server.base_url)
            await model.responses.create(model="gpt-4.1-mini", input="Book tomorrow at 3pm")

        asyncio.run(agent_call())
        model = openai.OpenAI(api_key="sk-test", base_url=server.base_url)  # A-D: sync, Chat
        model.chat.completions.create(
            model="gpt-4.1-mini", messages=[{"role": "user", "content": "What is free?"}]
        )
        server.stop()
        print(json.dumps(sorted(set(sys.modules) - before)))
        """
    )
    first_call = [m for m in seen if m.split(".")[0] in REQUEST_PACKAGES]
    assert first_call == []


@pytest.fixture
def lambda_runtime(monkeypatch):
    """The Lambda runtime's `snapshot_restore_py`, recording the before-snapshot hooks."""
    registered: list = []
    module = types.ModuleType("snapshot_restore_py")
    module.register_before_snapshot = lambda f, *args: registered.append(args)
    module.register_after_restore = lambda f, *args: None
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", module)
    return registered


def build() -> None:
    """A stand-in collaborator."""


def test_a_function_that_loaded_the_model_sdk_warms_its_request_path(lambda_runtime):
    import openai  # noqa: F401 (loaded, as every model-calling function has it by now)

    entry.prepare_function(warm=[build])

    ((warm,),) = lambda_runtime
    assert warm == (build, load_request_path)


def test_a_function_without_the_model_sdk_does_not(lambda_runtime, monkeypatch):
    monkeypatch.delitem(sys.modules, "openai")  # as in C's API or H: the SDK never loaded

    entry.prepare_function(warm=[build])

    ((warm,),) = lambda_runtime
    assert warm == (build,)


# Imports every deployed function module in turn, each as Lambda's runtime imports one — its
# pattern's package first, so a package that an earlier module loaded is loaded afresh — and
# records the collections each import set off, and whether it ended with the collector on and
# its objects frozen. `settings` (pydantic) loads first, as it does before a package pauses the
# collector.
IMPORT_EVERY_FUNCTION = """
    import gc, importlib, json, sys
    import settings

    collections = []
    gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(1))
    seen = []
    for module in %r:
        package = module.partition(".")[0]
        for name in [n for n in sys.modules if n.partition(".")[0] == package]:
            del sys.modules[name]
        before, frozen = len(collections), gc.get_freeze_count()
        importlib.import_module(module)
        seen.append({
            "module": module,
            "collections": len(collections) - before,
            "collector_on": gc.isenabled(),
            "frozen": gc.get_freeze_count() - frozen,
        })
    print(json.dumps(seen))
"""


def test_in_lambda_each_function_loads_with_the_collector_paused_then_freezes_what_it_built():
    modules = deployed_function_modules()
    assert len(modules) == 11  # 8 chat functions, C's steps, G's specialists, H's actions

    seen = run_fresh(IMPORT_EVERY_FUNCTION % modules, **IN_LAMBDA)

    assert [s["module"] for s in seen] == modules
    assert all(s["collections"] == 0 for s in seen), seen
    assert all(s["collector_on"] for s in seen), seen
    assert all(s["frozen"] > 0 for s in seen), [(s["module"], s["frozen"]) for s in seen]
    assert max(s["frozen"] for s in seen) > 100_000  # the one that loaded the Agents SDK


def test_outside_lambda_the_collector_keeps_its_defaults():
    seen = run_fresh(IMPORT_EVERY_FUNCTION % deployed_function_modules())

    assert sum(s["collections"] for s in seen) > 0
    assert all(s["collector_on"] and s["frozen"] == 0 for s in seen), seen
