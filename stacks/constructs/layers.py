"""The two Lambda layers every pattern function carries.

- `SharedLayer`: our own code in `shared_layer/python/` (the booking domain, the HTTP contract,
  the model client) — the same files the local runtime and the tests import.
- `DependenciesLayer`: the third-party packages from `[project] dependencies`, at exactly the
  versions in `uv.lock`, as ARM64 / CPython 3.13 wheels.

The dependencies layer is built without Docker: `DependenciesBundler.try_bundle` exports the
lockfile with `uv export`, drops what the Lambda runtime already ships and anything whose
environment marker excludes Lambda, and installs the rest with
`uv pip install --only-binary :all: --python-platform aarch64-manylinux2014`. The result is
cached under `.patterns/build-cache/deps-layer/<key>/`, keyed by the SHA-256 of the filtered
requirements, the wheel platform, the Python version and the recipe version, and that key is
also the asset hash: a synth whose requirements did not change never downloads anything and
never produces a new layer version.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from stacks.constants import (
    ARCHITECTURE,
    BUILD_CACHE_DIR,
    PROJECT_ROOT,
    PYTHON_VERSION,
    RUNTIME,
    SHARED_LAYER_DIR,
    WHEEL_PLATFORM,
)

# The Lambda Python runtime ships boto3 and its dependency tree; bundling them again only
# adds megabytes and a second botocore that shadows the runtime's.
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}
)

# PEP 508 marker environment of the Lambda python3.13 / arm64 runtime (Amazon Linux 2023).
LAMBDA_MARKER_ENVIRONMENT = {
    "implementation_name": "cpython",
    "implementation_version": f"{PYTHON_VERSION}.0",
    "os_name": "posix",
    "platform_machine": "aarch64",
    "platform_python_implementation": "CPython",
    "platform_release": "",
    "platform_system": "Linux",
    "platform_version": "",
    "python_full_version": f"{PYTHON_VERSION}.0",
    "python_version": PYTHON_VERSION,
    "sys_platform": "linux",
}

# Bump when the build recipe below changes in a way that changes the layer's content.
RECIPE_VERSION = "1"

UV_EXPORT = (
    "uv",
    "export",
    "--frozen",
    "--no-default-groups",
    "--no-emit-project",
    "--no-hashes",
    "--no-annotate",
    "--no-header",
)


def lambda_requirements(exported: str) -> list[str]:
    """The `name==version` pins the layer must install, from `uv export` output.

    Pure function: keeps the lockfile's exact versions, drops comments, packages the Lambda
    runtime provides and lines whose environment marker does not hold on Lambda (Windows-only,
    Emscripten-only, …). The markers themselves are evaluated here, so the result no longer
    carries any.
    """
    pins: list[str] = []
    for raw in exported.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement = Requirement(line)
        if canonicalize_name(requirement.name) in RUNTIME_PROVIDED:
            continue
        if requirement.marker and not Marker(str(requirement.marker)).evaluate(
            LAMBDA_MARKER_ENVIRONMENT
        ):
            continue
        if len(requirement.specifier) != 1 or next(iter(requirement.specifier)).operator != "==":
            raise ValueError(f"expected an exact pin from the lockfile, got {line!r}")
        pins.append(f"{canonicalize_name(requirement.name)}{requirement.specifier}")
    return sorted(pins)


def export_lambda_requirements(project_root: Path = PROJECT_ROOT) -> list[str]:
    """Run `uv export` against the lockfile (no resolution, no network) and filter it.

    Once per process and project root: every stack's layer has the same lockfile, and a synth
    of the whole app would otherwise start `uv` once per stack. (A new process, i.e. the next
    synth, exports again, so an edited lockfile is always seen.)
    """
    return list(_exported_requirements(Path(project_root).resolve()))


@functools.cache
def _exported_requirements(project_root: Path) -> tuple[str, ...]:
    uv = _uv_executable()
    exported = subprocess.run(
        [uv, *UV_EXPORT[1:]], cwd=project_root, check=True, capture_output=True, text=True
    ).stdout
    return tuple(lambda_requirements(exported))


def build_key(requirements: Iterable[str]) -> str:
    """SHA-256 of everything that decides the layer's bytes: cache key and asset hash."""
    digest = hashlib.sha256()
    for part in (
        f"recipe={RECIPE_VERSION}",
        f"platform={WHEEL_PLATFORM}",
        f"python={PYTHON_VERSION}",
    ):
        digest.update(part.encode() + b"\n")
    for pin in requirements:
        digest.update(pin.encode() + b"\n")
    return digest.hexdigest()


def _uv_executable() -> str:
    uv = shutil.which("uv")
    if uv is None:
        raise RuntimeError(
            "The dependencies layer is built with uv (https://docs.astral.sh/uv/), which is "
            "not on PATH. Install uv, or run the CDK CLI through `uv run`."
        )
    return uv


def _strip_build_litter(target: Path) -> None:
    # Bytecode is written by Lambda's own interpreter if it wants it; console scripts are
    # unusable from a layer.
    for cache_dir in list(target.rglob("__pycache__")):
        shutil.rmtree(cache_dir, ignore_errors=True)
    shutil.rmtree(target / "bin", ignore_errors=True)


def build_dependencies(requirements: list[str], key: str, cache_dir: Path) -> Path:
    """Install the pins into `<cache_dir>/<key>/python` once; later calls reuse it."""
    built = cache_dir / key
    if (built / "python").is_dir():
        return built
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{key[:12]}.", dir=cache_dir))
    try:
        requirements_file = staging / "requirements.txt"
        requirements_file.write_text("\n".join(requirements) + "\n")
        subprocess.run(
            [
                _uv_executable(),
                "pip",
                "install",
                "--quiet",  # a synth's output is the stack list, not 40 install lines
                "--no-deps",  # the export is already the full, locked closure
                "--only-binary",
                ":all:",
                "--python-platform",
                WHEEL_PLATFORM,
                "--python-version",
                PYTHON_VERSION,
                "--target",
                str(staging / "python"),
                "--requirements",
                str(requirements_file),
            ],
            check=True,
        )
        _strip_build_litter(staging / "python")
        # Atomic: a half-built directory is never mistaken for a cache hit. If a concurrent
        # synth finished the same key first, its build is as good as ours.
        try:
            staging.rename(built)
        except OSError:
            if not (built / "python").is_dir():
                raise
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return built


@jsii.implements(ILocalBundling)
class DependenciesBundler:
    """Local bundling for the dependencies layer: no Docker, cached across synths."""

    def __init__(self, requirements: list[str], key: str, cache_dir: Path) -> None:
        self.requirements = requirements
        self.key = key
        self.cache_dir = cache_dir

    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:
        built = build_dependencies(self.requirements, self.key, self.cache_dir)
        shutil.copytree(built / "python", Path(output_dir) / "python", dirs_exist_ok=True)
        return True


class SharedLayer(Construct):
    """`shared_layer/` as a layer: Lambda puts its `python/` directory on `sys.path`."""

    def __init__(self, scope: Construct, id_: str, *, description: str | None = None) -> None:
        super().__init__(scope, id_)
        self.layer = lambda_.LayerVersion(
            self,
            "Layer",
            code=lambda_.Code.from_asset(
                str(SHARED_LAYER_DIR), exclude=["**/__pycache__", "**/*.pyc", ".*"]
            ),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description=description
            or "Booking domain and pattern core shared by every pattern function.",
        )


class DependenciesLayer(Construct):
    """Third-party runtime dependencies at the lockfile's versions, built without Docker."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        project_root: Path = PROJECT_ROOT,
        cache_dir: Path = BUILD_CACHE_DIR / "deps-layer",
    ) -> None:
        super().__init__(scope, id_)
        self.requirements = export_lambda_requirements(project_root)
        self.build_key = build_key(self.requirements)
        self.layer = lambda_.LayerVersion(
            self,
            "Layer",
            code=lambda_.Code.from_asset(
                # Only the bundling output is packaged; with a custom hash the source
                # directory is neither fingerprinted nor copied.
                str(project_root),
                asset_hash_type=AssetHashType.CUSTOM,
                asset_hash=self.build_key,
                bundling=BundlingOptions(
                    image=DockerImage.from_registry("unused-local-bundling-only"),
                    local=DependenciesBundler(self.requirements, self.build_key, cache_dir),
                ),
            ),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description=f"Third-party dependencies from uv.lock ({self.build_key[:12]}).",
        )
