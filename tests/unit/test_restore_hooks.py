"""SnapStart's hooks (`pattern_core.snapstart`): before the snapshot the collaborators are built;
after a restore every per-container client is made anew, the OpenAI key is read again, and
each restored container draws its own random numbers."""

from __future__ import annotations

import random
import sys
import types

import pytest

from pattern_core import collaborators, snapstart
from pattern_core.model import client as model_client


@pytest.fixture
def container(moto_aws, monkeypatch):
    """A container's environment (moto for AWS), forgotten before and after the test."""
    monkeypatch.setenv("BOOKINGS_TABLE_NAME", "bookings")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-before-snapshot")
    monkeypatch.delenv("OPENAI_API_KEY_SECRET_ARN", raising=False)
    collaborators.reset()
    yield
    collaborators.reset()


@pytest.fixture
def lambda_runtime(monkeypatch):
    """The Lambda runtime's `snapshot_restore_py`, recording what is registered."""
    registered: dict[str, list] = {"before": [], "after": []}
    module = types.ModuleType("snapshot_restore_py")
    module.register_before_snapshot = lambda f, *a, **k: registered["before"].append((f, a, k))
    module.register_after_restore = lambda f, *a, **k: registered["after"].append((f, a, k))
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", module)
    return registered


def test_after_restore_the_collaborators_are_new_instances(container):
    # Given the collaborators a snapshot holds
    service = collaborators.booking_service()
    openai = model_client.openai_client()
    assert collaborators.booking_service() is service  # cached while the container lives

    # When the container is restored from the snapshot
    snapstart.after_restore()

    # Then each getter builds its collaborator again, with its own client
    assert collaborators.booking_service() is not service
    assert collaborators.booking_service().store.client is not service.store.client
    assert model_client.openai_client() is not openai


def test_after_restore_a_handler_s_own_clients_are_new_too(container):
    from pattern_c import handler as pattern_c

    before = pattern_c.stepfunctions(24.0)
    snapstart.after_restore()
    assert pattern_c.stepfunctions(24.0) is not before


def test_the_openai_key_is_read_after_restore_not_kept_from_the_snapshot(container, monkeypatch):
    assert model_client.openai_api_key() == "sk-before-snapshot"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-rotated")

    snapstart.after_restore()

    assert model_client.openai_api_key() == "sk-rotated"


def test_containers_restored_from_one_snapshot_draw_different_numbers():
    random.seed(12)
    snapshot = random.getstate()

    random.setstate(snapshot)
    without_hook = [random.random(), random.random()]
    random.setstate(snapshot)
    assert [random.random(), random.random()] == without_hook  # the problem the hook solves

    draws = []
    for _ in range(2):  # two containers resumed from the same snapshot
        random.setstate(snapshot)
        snapstart.after_restore()
        draws.append(random.random())
    assert draws[0] != draws[1]


def test_outside_lambda_install_registers_nothing(monkeypatch):
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import fails, as locally
    assert snapstart.install(warm=[collaborators.booking_service]) is False


def test_in_lambda_the_hooks_warm_before_the_snapshot_and_reset_after(container, lambda_runtime):
    assert snapstart.install(warm=[collaborators.booking_service]) is True

    ((before, args, _),) = lambda_runtime["before"]
    ((after, _, _),) = lambda_runtime["after"]
    before(*args)  # Lambda, just before it takes the snapshot
    warmed = collaborators.booking_service.cache_info().currsize
    after()  # Lambda, on each restore

    assert warmed == 1
    assert collaborators.booking_service.cache_info().currsize == 0
