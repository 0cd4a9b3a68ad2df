"""The typed settings: what a function reads from its environment, and how the stacks name it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from settings import MissingSetting, Settings, env_key


def test_values_are_typed_and_an_empty_variable_takes_the_default():
    settings = Settings.from_env(
        {"MAX_ACTIVE_BOOKINGS": "7", "OPENAI_TIMEOUT_SECONDS": "2.5", "OPENAI_MODEL": ""}
    )

    assert settings.max_active_bookings == 7 and settings.openai_timeout_seconds == 2.5
    assert settings.openai_model == "gpt-5-mini"


def test_a_malformed_number_is_refused_not_guessed():
    with pytest.raises(ValidationError):
        Settings.from_env({"MAX_ACTIVE_BOOKINGS": "many"})


@pytest.mark.parametrize(("text", "on"), [("0", False), ("false", False), ("1", True), ("x", True)])
def test_a_switch_is_on_unless_it_says_0_or_false(text, on):
    assert Settings.from_env({"OPENAI_STRICT_RESPONSES": text}).openai_strict_responses is on


def test_a_required_setting_that_is_missing_names_its_variable():
    with pytest.raises(MissingSetting, match="BOOKINGS_TABLE_NAME"):
        Settings.from_env({}).required("bookings_table_name")


def test_the_api_key_never_shows_in_the_settings_repr():
    settings = Settings.from_env({"OPENAI_API_KEY": "sk-secret"})

    assert "sk-secret" not in repr(settings)
    assert settings.openai_api_key.get_secret_value() == "sk-secret"


def test_an_environment_is_written_from_field_names_and_read_back_the_same():
    environment = Settings.environment(bookings_table_name="t", sfn_read_timeout_seconds=24)

    assert environment == {"BOOKINGS_TABLE_NAME": "t", "SFN_READ_TIMEOUT_SECONDS": "24"}
    assert Settings.from_env(environment).bookings_table_name == "t"


def test_a_misspelt_setting_cannot_reach_a_template():
    with pytest.raises(ValueError, match="not a setting"):
        Settings.environment(booking_table_name="t")
    with pytest.raises(ValueError, match="not a setting"):
        env_key("state_machine")


def test_a_stack_deployed_without_context_has_the_defaults_the_code_falls_back_to():
    from booking.effects import WriteBudget
    from booking.service import DEFAULT_MAX_ACTIVE_BOOKINGS
    from stacks import constants

    unset = Settings.from_env({})
    deployed = {
        key: constants.CONTEXT_DEFAULTS[context]
        for key, context in {
            "max_active_bookings": constants.CTX_MAX_ACTIVE_BOOKINGS,
            "max_bookings_per_turn": constants.CTX_MAX_BOOKINGS_PER_TURN,
            "max_cancellations_per_turn": constants.CTX_MAX_CANCELLATIONS_PER_TURN,
            "openai_model": constants.CTX_OPENAI_MODEL,
            "court_timezone": constants.CTX_COURT_TIMEZONE,
        }.items()
    }

    assert deployed == {key: getattr(unset, key) for key in deployed}
    assert unset.max_active_bookings == DEFAULT_MAX_ACTIVE_BOOKINGS
    assert WriteBudget() == WriteBudget.from_env({})
    with pytest.raises(KeyError):
        Settings.default("max_active_booking")
