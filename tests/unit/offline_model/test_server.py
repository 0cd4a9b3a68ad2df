"""The stand-in's HTTP surface: routes, OpenAI-style errors, start and stop."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from local.offline_model import start_offline_model


@pytest.fixture
def model():
    with start_offline_model() as server:
        yield server


def call(url: str, body: bytes | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_listens_on_loopback_with_a_v1_base_url(model):
    assert model.base_url == f"http://127.0.0.1:{model.port}/v1"
    assert model.port > 0


def test_lists_the_stand_in_model(model):
    status, body = call(f"{model.base_url}/models")

    assert status == 200
    assert [m["id"] for m in body["data"]] == ["offline-stand-in"]


@pytest.mark.parametrize(("path", "body"), [("/embeddings", b"{}"), ("/nothing", None)])
def test_unknown_paths_answer_404_with_an_openai_error(model, path, body):
    status, payload = call(f"{model.base_url}{path}", body)

    assert status == 404
    assert payload["error"]["type"] == "invalid_request_error"
    assert path in payload["error"]["message"]


def test_streaming_is_refused_with_400(model):
    body = json.dumps({"model": "x", "input": "hi", "stream": True}).encode()

    status, payload = call(f"{model.base_url}/responses", body)

    assert status == 400
    assert payload["error"]["param"] == "stream"


def test_a_body_that_is_not_json_is_refused_with_400(model):
    status, payload = call(f"{model.base_url}/chat/completions", b"not json")

    assert status == 400
    assert payload["error"]["code"] == "invalid_json"


def test_stop_closes_the_port():
    server = start_offline_model()
    url = f"{server.base_url}/models"
    assert call(url)[0] == 200

    server.stop()

    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=2)
