"""Fixtures of the services tests (and, re-exported, of the orders tests): the catalogue and an active member."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import World, sign_for


@pytest.fixture
def catalogue(db: Any) -> dict[str, Any]:
    """NHN's starting catalogue with its first published terms (2025.1), by slug."""
    from agreements.catalogue import load_catalogue
    from agreements.models import Service

    load_catalogue()
    return {s.slug: s for s in Service.objects.all()}


@pytest.fixture
def member_a(world: World, terms: Any, catalogue: dict[str, Any]) -> World:
    """Org A (Ringsaker) has signed the membership terms: its membership is active."""
    sign_for(world, terms, world.org_a, world["admin_a"])
    return world


@pytest.fixture
def outbox(django_capture_on_commit_callbacks: Any, run_worker: Any) -> Any:
    """Run ``action`` so that its queued e-mails are delivered (commit callbacks, then the worker)."""

    def _deliver(action: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            result = action()
        run_worker()
        return result

    return _deliver
