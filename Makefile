# Entry points a newcomer can guess. `make local` runs the patterns on this machine;
# `make test` is what CI runs (.ci/run). Both set up everything they need first.
.PHONY: bootstrap local serve test lint format unit integration infra synth cfn-lint clean

export UV_PYTHON_DOWNLOADS := never
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

unit:
	$(RUN) pytest tests/unit

integration:
	$(RUN) pytest tests/integration

infra:
	$(RUN) pytest tests/infrastructure

# Every stack through the pinned CDK CLI, with real (Docker-free) bundling; cdk-nag findings
# that are not acknowledged fail the synth. The default context, public mode, and PatternH's
# other engine each get their own cloud assembly, which `make cfn-lint` then reads.
synth:
	npx cdk synth --quiet --strict
	npx cdk synth --quiet --strict -c public=true --output cdk.out/public
	npx cdk synth PatternH --quiet --strict -c h_engine=agentcore --output cdk.out/agentcore

# cfn-lint over the templates `make synth` wrote; which ones, and any rule switched off (with
# its reason), are in .cfnlintrc.yaml. Any finding, warnings included, fails.
cfn-lint:
	$(RUN) cfn-lint

test: bootstrap lint
	$(RUN) pytest
	$(MAKE) synth
	$(MAKE) cfn-lint

clean:
	rm -rf cdk.out .pytest_cache .ruff_cache
