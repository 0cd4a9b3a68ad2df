# Entry points a newcomer can guess. `make local` runs the patterns on this machine;
# `make test` is what CI runs (.ci/run). Both set up everything they need first.
.PHONY: bootstrap chromium local serve test lint format pytest unit integration infra synth \
	templates-when-idle cfn-lint clean

export UV_PYTHON_DOWNLOADS := never
# Python caches each module it compiles (__pycache__, git-ignored). An environment that turns
# that off (PYTHONDONTWRITEBYTECODE, common in container images) makes every interpreter the
# tests start — pytest's workers, each CLI subprocess, each synth's `python app.py` — compile
# the Agents SDK, boto3, moto and the CDK from source again: ~2.5 s CPU per process.
unexport PYTHONDONTWRITEBYTECODE
# jsii prints a banner about Node 20's end of life on every synth; the pinned CLI supports it.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
RUN := uv run --frozen

bootstrap:
	@./scripts/bootstrap.sh

local: bootstrap  ## the main job: every pattern, locally, on the same message
	$(RUN) patterns compare "Book tomorrow at 3pm"

serve: bootstrap
	$(RUN) patterns serve

lint:
	$(RUN) ruff check .
	$(RUN) ruff format --check .

format:
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

# pytest over every core (pytest-xdist): each worker has its own moto state, temporary
# directories and local DynamoDB server; a test module stays on one worker, and so do all the
# infrastructure tests (`pytest_xdist_make_scheduler` in tests/conftest.py).
# PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto
PYTEST := $(RUN) pytest -n $(PYTEST_WORKERS)

unit:
	$(PYTEST) tests/unit

integration:
	$(PYTEST) tests/integration

infra:
	$(PYTEST) tests/infrastructure

# Every stack through the pinned CDK CLI, with real (Docker-free) bundling; cdk-nag findings
# that are not acknowledged fail the synth. The default context, public mode, and PatternH's
# other engine each get their own cloud assembly, which `make cfn-lint` then reads.
# SYNTH_FLAGS adds CLI flags to each (`make test` passes --no-validation: see below).
synth:
	npx cdk synth --quiet --strict $(SYNTH_FLAGS)
	npx cdk synth --quiet --strict $(SYNTH_FLAGS) -c public=true --output cdk.out/public
	npx cdk synth PatternH --quiet --strict $(SYNTH_FLAGS) -c h_engine=agentcore \
	  --output cdk.out/agentcore

# cfn-lint over the templates `make synth` wrote; which ones, and any rule switched off (with
# its reason), are in .cfnlintrc.yaml. Any finding, warnings included, fails.
cfn-lint:
	$(RUN) cfn-lint

# The browser tests drive Debian's Chromium, never a Playwright download. CI runs `make test` as
# root on a fresh Debian machine: install it there (quietly); elsewhere say how, and they skip.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make: installing chromium (Debian package) for the browser tests" >&2; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends chromium fonts-liberation >/dev/null; \
	  else \
	    echo "make: no chromium, so the browser tests skip; install: sudo apt-get install chromium" >&2; \
	  fi; \
	fi

# pytest and the templates' checks run side by side: the three synths, then cfn-lint over what
# they wrote, at the lowest CPU priority, so they get only the CPU pytest leaves idle (tests
# waiting on a clock, a server or a subprocess) and cannot slow a test down. Either failing fails.
test: bootstrap lint chromium
	$(MAKE) --no-print-directory -j2 pytest templates-when-idle

pytest:
	$(PYTEST)

# aws-cdk-lib's built-in CloudFormation validation (a WebAssembly rule engine: 9 of a synth's
# 17 CPU seconds) runs in the infrastructure tests beside them, on every stack in every context
# these synths cover: each is synthesized in process with strict validation, where any finding
# fails it (test_compliance.py proves that gate). So these synths skip it and check what only
# the CLI path does: Docker-free bundling, cdk-nag through --strict, the templates cfn-lint reads.
templates-when-idle:
	nice -n 19 $(MAKE) --no-print-directory synth SYNTH_FLAGS=--no-validation
	nice -n 19 $(MAKE) --no-print-directory cfn-lint

clean:
	rm -rf cdk.out .pytest_cache .ruff_cache
