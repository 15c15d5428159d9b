import pytest
from django.urls import reverse

from tests.matrix_routes.enhetsregisteret import READ_ONLY_ADMIN, seed_world


@pytest.mark.parametrize("key", sorted(READ_ONLY_ADMIN))
def test_admin_pages_are_read_only(world, login, key):
    seed_world(world)
    client = login(world["system_admin"])
    app, model = key.split("_", 1)
    assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    from django.apps import apps

    obj = apps.get_model(app, model).objects.order_by("pk").first()
    assert client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk])).status_code == 200
    assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 403
