"""`patterns bench` times imports with the bytecode cache filled, whatever the environment says."""

from __future__ import annotations

import os

import pytest

from local.bench import deployed_import_env, import_once_ms, write_bytecode


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
