"""Shared fixtures: an isolated AWS environment for every test that needs one."""
from __future__ import annotations

import os

import pytest

from chalicelib.core.cache import invalidate_all
from chalicelib.core.settings import get_settings
from chalicelib.store import aws

ADMIN_KEY = "test-admin-key-0123456789"
SIGNING_SECRET = "test-signing-secret-of-at-least-32-characters"


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch):
    """No test reaches real AWS, and no setting leaks from the caller's shell."""
    for name in list(os.environ):
        if name.startswith("CIM_") or name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("CIM_TABLE_NAME", "cim-test")
    monkeypatch.setenv("CIM_BUCKET_NAME", "cim-test-attachments")
    monkeypatch.setenv("CIM_ADMIN_KEY", ADMIN_KEY)
    monkeypatch.setenv("CIM_SIGNING_SECRET", SIGNING_SECRET)
    get_settings.cache_clear()
    aws.reset_clients()
    invalidate_all()
    yield
    get_settings.cache_clear()
    aws.reset_clients()
    invalidate_all()


def pytest_collection_modifyitems(items):
    """The files that take longest run first. xdist hands each worker one file
    at a time (`--dist loadfile`); a long file begun last leaves the other
    core idle to the end. A file says its rough length with
    `pytest.mark.takes(seconds)`, measured on a quiet two-core machine."""
    def seconds(item) -> float:
        mark = item.get_closest_marker("takes")
        return mark.args[0] if mark else 0.0
    items.sort(key=lambda item: -seconds(item))  # stable: the rest keep their order
