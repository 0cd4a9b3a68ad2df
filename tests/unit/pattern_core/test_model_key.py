"""The OpenAI key from Secrets Manager (moto): a missing or empty secret is ModelNotConfigured,
which names the secret and the command that creates it, never a value."""

from __future__ import annotations

import boto3
import pytest

from pattern_core import collaborators
from pattern_core.model.client import ModelNotConfigured, openai_api_key
from pattern_core.workflow.steps import failure_of

SECRET_NAME = "patterns/openai-api-key"
CREATE = f'aws secretsmanager create-secret --name {SECRET_NAME} --secret-string "sk-..."'


@pytest.fixture
def secrets(moto_aws, monkeypatch):
    client = boto3.client("secretsmanager")
    region, account = "us-east-1", "123456789012"
    # The partial ARN the stack passes (`from_secret_name_v2`): no random suffix.
    arn = f"arn:aws:secretsmanager:{region}:{account}:secret:{SECRET_NAME}"
    monkeypatch.setenv("OPENAI_API_KEY_SECRET_ARN", arn)
    monkeypatch.delenv("OPENAI_API_KEY_SECRET_NAME", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    collaborators.reset()
    yield client
    collaborators.reset()


def test_a_secret_that_does_not_exist_names_itself_and_the_fix(secrets):
    with pytest.raises(ModelNotConfigured) as raised:
        openai_api_key()

    assert raised.value.secret_name == SECRET_NAME
    assert CREATE in str(raised.value)


# Secrets Manager refuses an empty SecretString; blank and JSON-empty values are the "empty".
@pytest.mark.parametrize("value", ["   ", '{"OPENAI_API_KEY": ""}', "{}", "{not json"])
def test_an_empty_secret_is_not_configured_either(secrets, value):
    secrets.create_secret(Name=SECRET_NAME, SecretString=value)

    with pytest.raises(ModelNotConfigured) as raised:
        openai_api_key()

    assert CREATE in str(raised.value)


def test_a_secret_with_no_value_yet_is_not_configured(secrets):
    secrets.create_secret(Name=SECRET_NAME)  # created, but no version holds a value

    with pytest.raises(ModelNotConfigured):
        openai_api_key()


@pytest.mark.parametrize("value", ["sk-plain", '{"OPENAI_API_KEY": "sk-plain"}'])
def test_a_configured_secret_gives_the_key_and_the_message_never_would(secrets, value):
    secrets.create_secret(Name=SECRET_NAME, SecretString=value)

    assert openai_api_key() == "sk-plain"
    assert "sk-plain" not in str(ModelNotConfigured())


def test_reset_forgets_the_key_powertools_cached_so_a_new_secret_value_is_read(secrets):
    # Given a key read once (Powertools parameters caches the secret's value for a while)
    secrets.create_secret(Name=SECRET_NAME, SecretString="sk-first")
    assert openai_api_key() == "sk-first"
    secrets.put_secret_value(SecretId=SECRET_NAME, SecretString="sk-second")

    # When the container's collaborators are reset (a restored snapshot, a test)
    collaborators.reset()

    # Then the next read fetches the secret's current value
    assert openai_api_key() == "sk-second"


def test_the_name_from_the_environment_wins_over_the_arn(secrets, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY_SECRET_NAME", "team/openai")
    assert ModelNotConfigured().secret_name == "team/openai"


def test_locally_without_any_key_the_message_says_to_set_one(monkeypatch):
    for name in ("OPENAI_API_KEY_SECRET_ARN", "OPENAI_API_KEY_SECRET_NAME", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    collaborators.reset()
    try:
        with pytest.raises(ModelNotConfigured, match="OPENAI_API_KEY"):
            openai_api_key()
    finally:
        collaborators.reset()


def test_the_workflow_reports_a_missing_key_as_503_with_the_same_message(secrets):
    failure = failure_of("ModelNotConfigured")

    assert (failure.status, failure.code) == (503, "model_not_configured")
    assert CREATE in failure.message
