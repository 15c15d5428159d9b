"""The orders tests share the services tests' fixtures: the catalogue, an active member, the outbox."""

from agreements.tests.conftest import catalogue, member_a, outbox  # noqa: F401
