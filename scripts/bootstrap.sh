#!/usr/bin/env bash
# Everything a fresh machine needs, from the package registries only: uv (via pip if missing),
# the Python environment from uv.lock (system Python, no interpreter downloads), and the pinned
# node tools from package-lock.json (the CDK CLI and the local DynamoDB server).
set -euo pipefail
cd "$(dirname "$0")/.."

export UV_PYTHON_DOWNLOADS=never
if ! command -v uv >/dev/null 2>&1; then
  echo "bootstrap: installing uv with pip" >&2
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
uv sync --frozen --quiet

# npm ci only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
