"""Every stack's synthesized template against a committed snapshot: a refactoring that claims
"behaviour unchanged" must leave the templates unchanged too.

Asset hashes (the S3 keys of function code and layers, and anything else named by a content
hash) and asset paths (where the asset was staged on this machine) are normalised, so editing a
handler does not churn the snapshots; everything else must match exactly. After a deliberate
change, rewrite the snapshots and review their diff:

    UPDATE_SNAPSHOTS=1 uv run pytest tests/infrastructure/test_template_snapshots.py
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from app import DASHBOARD_STACK_ID, PATTERN_STACKS
from tests.infrastructure.conftest import synthesized

SNAPSHOTS = Path(__file__).parent / "snapshots"
ASSET_HASH = re.compile(r"\b[0-9a-f]{64}\b")
# A Lambda version's logical id ends in a hash of the function's code and configuration
# (`…CurrentVersion<8 hex><32 hex>`): it changes with every handler edit, like an asset hash.
VERSION_HASH = re.compile(r"(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}\b")

# The defaults for every stack, and each context that swaps resources in or out.
SNAPSHOTTED = [
    *[pytest.param(stack, {}, id=stack) for stack in [*PATTERN_STACKS, DASHBOARD_STACK_ID]],
    pytest.param("PatternA", {"public": "true"}, id="PatternA-public"),
    pytest.param("PatternH", {"h_engine": "agentcore"}, id="PatternH-agentcore"),
]


ASSET_PATH = "aws:asset:path"  # resource metadata: a staging directory, or this checkout


def normalised(template: dict) -> str:
    """The template as sorted, indented JSON; content hashes and asset paths become markers."""
    text = json.dumps(_without_asset_paths(template), indent=1, sort_keys=True)
    text = VERSION_HASH.sub(r"\1<code-hash>", text)
    return ASSET_HASH.sub("<asset-hash>", text) + "\n"


def _without_asset_paths(value):
    if isinstance(value, dict):
        return {
            key: "<asset-path>" if key == ASSET_PATH else _without_asset_paths(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_without_asset_paths(item) for item in value]
    return value


def snapshot_path(stack_id: str, context: dict[str, str]) -> Path:
    suffix = "".join(f"-{key}={value}" for key, value in sorted(context.items()))
    return SNAPSHOTS / f"{stack_id}{suffix}.template.json"


@pytest.mark.parametrize(("stack_id", "context"), SNAPSHOTTED)
def test_template_matches_its_snapshot(stack_id, context):
    actual = normalised(synthesized(stack_id, **context).json)
    path = snapshot_path(stack_id, context)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(actual)
    assert path.exists(), f"no snapshot {path.name}: run with UPDATE_SNAPSHOTS=1 and review it"
    assert actual == path.read_text(), (
        f"{stack_id} {context or ''} differs from {path.name}; if the change is intended, "
        "rewrite the snapshots with UPDATE_SNAPSHOTS=1 and review their diff"
    )


def test_the_normalisation_keeps_everything_but_content_hashes():
    template = {
        "Code": {"S3Key": f"{'ab' * 32}.zip"},
        "Metadata": {ASSET_PATH: "/home/someone/project"},
        "Handler": "handler.handler",
        "N": 1,
    }

    text = normalised(template)

    assert '"S3Key": "<asset-hash>.zip"' in text
    assert "/home/someone" not in text and f'"{ASSET_PATH}": "<asset-path>"' in text
    assert '"Handler": "handler.handler"' in text and '"N": 1' in text
