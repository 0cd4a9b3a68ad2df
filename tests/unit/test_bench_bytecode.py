"""`patterns bench` times imports with the bytecode cache filled, whatever the environment says,
and times the baselines with the garbage collector paused too, as a deployed INIT runs."""

from __future__ import annotations

import os

import pytest

from local.bench import COLLECTOR_PAUSED, deployed_import_env, import_once_ms, write_bytecode


def test_the_deployed_import_environment_lets_python_write_bytecode(monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")

    env = deployed_import_env("pattern-a-chat")

    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "pattern-a-chat"


def test_bytecode_is_written_before_the_timed_import_and_a_broken_module_still_fails(tmp_path):
    (tmp_path / "bench_probe_module.py").write_text("VALUE = 1\n")
    (tmp_path / "bench_broken_module.py").write_text("raise RuntimeError('broken at import')\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tmp_path)
    modules = {"bench_probe_module": env, "bench_broken_module": env}

    write_bytecode(modules)

    cached = [p.name for p in (tmp_path / "__pycache__").iterdir()]
    assert any(name.startswith("bench_probe_module.") for name in cached)
    assert import_once_ms("bench_probe_module", env) >= 0
    with pytest.raises(RuntimeError, match="broken at import"):
        import_once_ms("bench_broken_module", env)


def test_a_collector_paused_import_runs_with_the_collector_off_and_its_bytecode_is_written(
    tmp_path,
):
    # A module that refuses to load unless the collector is off when it is imported
    (tmp_path / "bench_gc_probe.py").write_text(
        "import gc\nif gc.isenabled():\n    raise RuntimeError('collector on')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tmp_path)

    write_bytecode({COLLECTOR_PAUSED + "bench_gc_probe": env})

    assert any(p.name.startswith("bench_gc_probe.") for p in (tmp_path / "__pycache__").iterdir())
    assert import_once_ms(COLLECTOR_PAUSED + "bench_gc_probe", env) >= 0
    with pytest.raises(RuntimeError, match="collector on"):
        import_once_ms("bench_gc_probe", env)
