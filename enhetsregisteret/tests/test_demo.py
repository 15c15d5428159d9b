from enhetsregisteret import demo_data, services
from enhetsregisteret.models import FollowUp


def test_demo_seed_fills_the_lists_and_is_idempotent(world):
    organisations = {"municipality": world.org_a}
    demo_data.seed(organisations=organisations, users={})
    demo_data.seed(organisations=organisations, users={})
    assert services.candidates().count() == 5
    assert FollowUp.objects.open().count() == 1
