"""Work a synth of the whole app does once, not once per stack or function (issue 12).

The synth's speed is measured by `patterns bench` (`synth`), never here; these tests pin down
what is shared and that sharing it changes no answer.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from aws_cdk import Stack

from stacks.constructs import layers
from stacks.constructs.layers import DependenciesLayer, export_lambda_requirements
from stacks.constructs.pattern_function import PatternFunction
from tests.infrastructure.conftest import new_app


@pytest.fixture
def project(tmp_path) -> Path:
    """A project root this process has not exported yet (the export is cached per root): the
    real lockfile and pyproject, copied."""
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(layers.PROJECT_ROOT / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def uv_runs(monkeypatch) -> list[list[str]]:
    """Every command `layers` starts, still run for real."""
    started: list[list[str]] = []
    real_run = subprocess.run

    def run(command, *args, **kwargs):
        started.append(list(command))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(layers.subprocess, "run", run)
    return started


def test_the_lockfile_is_exported_once_for_every_stack_of_a_process(uv_runs, project):
    # Given an app with two stacks, each with its own dependencies layer
    app = new_app()
    first = DependenciesLayer(Stack(app, "One"), "DependenciesLayer", project_root=project)
    second = DependenciesLayer(Stack(app, "Two"), "DependenciesLayer", project_root=project)

    # Then `uv export` ran once, and both layers carry the same pins and build key
    assert [command[1] for command in uv_runs] == ["export"]
    assert first.requirements == second.requirements
    assert first.requirements  # the real lockfile's pins, not an empty list
    assert first.build_key == second.build_key
    assert first.requirements == export_lambda_requirements()  # the project's own export


def test_a_caller_cannot_change_the_shared_export(uv_runs, project):
    pins = export_lambda_requirements(project)
    pins.append("tampered==1.0")

    assert "tampered==1.0" not in export_lambda_requirements(project)
    assert len(uv_runs) == 1


def test_a_function_outside_a_pattern_stack_reads_its_settings_from_context():
    # Given a plain stack (no `PatternStack.settings` to reuse) in an app with SnapStart on A
    app = new_app(snapstart="A")
    stack = Stack(app, "Plain")

    # When pattern functions are added to it
    on = PatternFunction(
        stack, "On", pattern_id="A", package="pattern_a", layers=[], environment={}
    )
    off = PatternFunction(
        stack, "Off", pattern_id="B", package="pattern_b", layers=[], environment={}
    )

    # Then each follows the context: A snapshots (behind its alias), B does not
    assert on.snap_start and on.alias is not None
    assert not off.snap_start and off.alias is None
