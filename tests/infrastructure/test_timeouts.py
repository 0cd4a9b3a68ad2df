"""The timeout chain, read back from the synthesized templates of all eight stacks (and
PatternH on its AgentCore engine): every level waits strictly longer than what it waits for.

    integration > API function > (C) client read > execution > task > step function > model call
                               > (G) client read > specialist function > model call
                               > (H) client read > harness;  action function < client read

Each figure is taken from the template — the integration's TimeoutInMillis, each function's
Timeout and environment, the state machine definition's TimeoutSeconds — not from
`stacks/timeouts.py`, so a stack that stops using the shared values is caught.
"""

from __future__ import annotations

import json

import pytest

from pattern_core.deadline import MARGIN_SECONDS
from pattern_g.wiring import FUNCTION_SETTING
from settings import env_key
from stacks import timeouts
from tests.infrastructure.conftest import Synthesized, synthesized

STACKS = [f"Pattern{p}" for p in "ABCDEFGH"]
MODEL_STACKS = [s for s in STACKS if s != "PatternH"]  # H's model is Bedrock's, not OpenAI


@pytest.fixture(scope="module")
def synths() -> dict[str, Synthesized]:
    built = {sid: synthesized(sid) for sid in STACKS}
    built["PatternH-agentcore"] = synthesized("PatternH", h_engine="agentcore")
    return built


def functions(synth: Synthesized) -> dict[str, dict]:
    return {i: r["Properties"] for i, r in synth.resources("AWS::Lambda::Function").items()}


def api_function(synth: Synthesized) -> tuple[int, dict]:
    """(integration timeout ms, the function behind the chat API)."""
    (integration,) = synth.resources("AWS::ApiGatewayV2::Integration").values()
    props = integration["Properties"]
    return props["TimeoutInMillis"], functions(synth)[
        synth.invoked_function(props["IntegrationUri"])
    ]


def env(function: dict) -> dict:
    return function.get("Environment", {}).get("Variables", {})


def seconds(function: dict) -> int:
    return function["Timeout"]


@pytest.mark.parametrize("stack_id", [*STACKS, "PatternH-agentcore"])
def test_the_chat_function_answers_before_the_integration_gives_up(synths, stack_id):
    integration_ms, chat = api_function(synths[stack_id])

    assert integration_ms == timeouts.INTEGRATION_SECONDS * 1000
    assert seconds(chat) * 1000 < integration_ms


@pytest.mark.parametrize("stack_id", MODEL_STACKS)
def test_every_model_call_fits_inside_its_function_with_room_to_answer(synths, stack_id):
    callers = [
        f for f in functions(synths[stack_id]).values() if "OPENAI_TIMEOUT_SECONDS" in env(f)
    ]

    assert callers  # every OpenAI pattern caps its model calls
    for function in callers:
        cap = float(env(function)["OPENAI_TIMEOUT_SECONDS"])
        assert cap + MARGIN_SECONDS < seconds(function)


def test_pattern_c_nests_api_function_read_execution_task_step_and_model_call(synths):
    synth = synths["PatternC"]
    _, api = api_function(synth)
    read = float(env(api)["SFN_READ_TIMEOUT_SECONDS"])
    (machine,) = synth.resources("AWS::StepFunctions::StateMachine").values()
    definition = json.loads(machine["Properties"]["DefinitionString"])
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    all_functions = functions(synth)

    assert seconds(api) - MARGIN_SECONDS > read > definition["TimeoutSeconds"]
    assert definition["TimeoutSeconds"] == timeouts.C_STATE_MACHINE_SECONDS
    tasks = {n: s for n, s in definition["States"].items() if s["Type"] == "Task"}
    assert len(tasks) == 6
    for name, task in tasks.items():
        placeholder = task["Parameters"]["FunctionName"].strip("${}")
        step = all_functions[synth.invoked_function(substitutions[placeholder])]
        assert definition["TimeoutSeconds"] > task["TimeoutSeconds"] > seconds(step), name
        # The definition file repeats stacks/timeouts.py's figures: they must agree.
        model_step = "OPENAI_TIMEOUT_SECONDS" in env(step)
        expected = timeouts.C_MODEL_TASK_SECONDS if model_step else timeouts.C_CODE_TASK_SECONDS
        assert task["TimeoutSeconds"] == expected, name
        if "OPENAI_TIMEOUT_SECONDS" in env(step):
            assert env(step)["OPENAI_MAX_RETRIES"] == "0"  # Step Functions owns retrying


def test_pattern_g_nests_manager_read_specialist_and_model_call(synths):
    synth = synths["PatternG"]
    _, manager = api_function(synth)
    read = float(env(manager)["SPECIALIST_READ_TIMEOUT_SECONDS"])
    all_functions = functions(synth)
    specialists = [
        all_functions[synth.invoked_function(env(manager)[env_key(name)])]
        for name in FUNCTION_SETTING.values()
    ]

    assert seconds(manager) - MARGIN_SECONDS > read
    assert len(specialists) == 2
    for specialist in specialists:
        assert read > seconds(specialist)
        assert seconds(specialist) > float(env(specialist)["OPENAI_TIMEOUT_SECONDS"])


@pytest.mark.parametrize("stack_id", ["PatternH", "PatternH-agentcore"])
def test_pattern_h_reads_the_agent_inside_the_invoker_and_the_action_inside_the_agent(
    synths, stack_id
):
    synth = synths[stack_id]
    _, invoker = api_function(synth)
    read = float(env(invoker)["AGENT_READ_TIMEOUT_SECONDS"])
    (action,) = [f for f in functions(synth).values() if f["Handler"].endswith("actions.handler")]

    assert seconds(invoker) - MARGIN_SECONDS > read > seconds(action)
    harnesses = synth.resources("AWS::BedrockAgentCore::Harness")
    if stack_id.endswith("agentcore"):
        (harness,) = harnesses.values()
        assert read > harness["Properties"]["TimeoutSeconds"] > seconds(action)
    else:
        assert harnesses == {}
