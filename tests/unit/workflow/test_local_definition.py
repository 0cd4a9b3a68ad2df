"""The local runtime runs the deployed definition file, placeholders filled like CloudFormation."""

from __future__ import annotations

import json

import pytest

from local.step_functions import STEP_FUNCTIONS, local_definition, substitute


def test_every_placeholder_is_filled_with_a_registered_local_function():
    definition = json.loads(local_definition())

    names = {
        state["Parameters"]["FunctionName"]
        for state in definition["States"].values()
        if state["Type"] == "Task"
    }
    assert names == {name for name, _ in STEP_FUNCTIONS.values()}
    assert "${" not in json.dumps(definition)


def test_a_placeholder_without_a_value_is_an_error_not_a_silent_gap():
    with pytest.raises(ValueError, match="BookFunction"):
        substitute('{"FunctionName": "${BookFunction}"}', {})
