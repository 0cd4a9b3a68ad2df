"""The dependencies layer's recipe: which packages, at which versions, built once."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from stacks.constants import PROJECT_ROOT
from stacks.constructs import layers
from stacks.constructs.layers import (
    DependenciesBundler,
    build_dependencies,
    build_key,
    export_lambda_requirements,
    lambda_requirements,
)

EXPORTED = """\
annotated-types==0.8.0
    # via pydantic
aws-lambda-powertools==3.37.0
boto3==1.44.5
botocore==1.44.8
    # via aws-xray-sdk
click==8.5.1 ; sys_platform != 'emscripten'
httpx2-jsfetch==1.0 ; python_full_version >= '3.12' and sys_platform == 'emscripten'
jmespath==1.1.0
pycparser==3.12 ; implementation_name != 'PyPy' and platform_python_implementation != 'PyPy'
python-dateutil==2.9.0.post0
pywin32==312 ; sys_platform == 'win32'
s3transfer==0.16.0
six==1.17.0
Typing_Extensions==4.16.0
urllib3==2.8.0
"""


def test_runtime_provided_and_foreign_platform_packages_are_dropped():
    assert lambda_requirements(EXPORTED) == [
        "annotated-types==0.8.0",
        "aws-lambda-powertools==3.37.0",
        "click==8.5.1",  # `!= 'emscripten'` holds on Lambda: kept, marker resolved
        "pycparser==3.12",
        "typing-extensions==4.16.0",
    ]


def test_anything_but_an_exact_pin_is_refused():
    with pytest.raises(ValueError, match="exact pin"):
        lambda_requirements("openai>=3.0\n")


def test_layer_pins_are_the_lockfile_versions_of_the_runtime_dependencies():
    # Given the real lockfile
    locked = {
        package["name"]: package["version"]
        for package in tomllib.loads((PROJECT_ROOT / "uv.lock").read_text())["package"]
    }

    # When the layer's requirements are exported from it
    pins = dict(pin.split("==") for pin in export_lambda_requirements())

    # Then every pin is the locked version, the direct dependencies are in, boto3 & co. are out
    assert pins
    assert all(locked[name] == version for name, version in pins.items())
    assert {"aws-lambda-powertools", "openai", "openai-agents", "pydantic"} <= set(pins)
    assert not layers.RUNTIME_PROVIDED & set(pins)
    assert not {"pytest", "moto", "aws-cdk-lib", "ruff"} & set(pins)  # no dev/local/cdk groups


def test_build_key_changes_with_any_pin_and_only_then():
    pins = ["openai==3.57.0", "pydantic==2.14.4"]

    assert build_key(pins) == build_key(list(pins))
    assert build_key(pins) != build_key(["openai==3.57.1", "pydantic==2.14.4"])
    assert build_key(pins) != build_key(pins[:1])


def test_a_cached_build_is_reused_without_running_the_installer(tmp_path, monkeypatch):
    # Given a build already in the cache
    key = build_key(["openai==3.57.0"])
    cached = tmp_path / "cache" / key / "python" / "openai"
    cached.mkdir(parents=True)
    (cached / "__init__.py").write_text("# built earlier\n")
    monkeypatch.setattr(layers.subprocess, "run", _installer_must_not_run)

    # When the bundler is asked for the layer's content
    out = tmp_path / "asset"
    bundled = DependenciesBundler(["openai==3.57.0"], key, tmp_path / "cache").try_bundle(
        str(out), None
    )

    # Then it is copied from the cache
    assert bundled is True
    assert (out / "python" / "openai" / "__init__.py").read_text() == "# built earlier\n"


def test_a_failed_build_leaves_no_cache_entry(tmp_path, monkeypatch):
    monkeypatch.setattr(layers.subprocess, "run", _installer_fails)

    with pytest.raises(OSError):
        build_dependencies(["openai==3.57.0"], "k" * 64, tmp_path)

    assert list(tmp_path.iterdir()) == []


def _installer_must_not_run(*args, **kwargs):
    raise AssertionError(f"installer ran: {args}")


def _installer_fails(*args, **kwargs):
    raise OSError("no network")


def test_cache_lives_under_the_gitignored_patterns_directory():
    cache = layers.BUILD_CACHE_DIR
    assert cache.is_relative_to(PROJECT_ROOT / ".patterns")
    assert ".patterns/" in Path(PROJECT_ROOT / ".gitignore").read_text().split()
