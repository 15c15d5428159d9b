import pytest

from enhetsregisteret.client import ACCEPT_FEED, ACCEPT_UNIT, USER_AGENT, Client, RegisterError
from enhetsregisteret.feed import sync
from enhetsregisteret.models import FeedCursor, FollowUp, RegisterEntry
from enhetsregisteret.tests.fake_register import FakeRegister
from enhetsregisteret.tests.records import deleted_record, unit_record
from memberships.choices import MembershipState
from memberships.models import Membership
from organisations.choices import RegisterStatus
from organisations.models import Organisation
from organisations.validators import with_check_digit

NEW_CLINIC = with_check_digit("92100001")
NEW_SHOP = with_check_digit("92100002")
GONE = with_check_digit("92100003")


@pytest.fixture
def register(settings):
    with FakeRegister() as fake:
        settings.ENHETSREGISTERET_URL = fake.url
        yield fake


def _client():
    return Client(retries=3, backoff=0)


def _feed(world, register):
    """New, changed, deleted and removed units, as the feed announces them."""
    member, other = world.enterprise_b, world.org_a
    Membership.objects.create(organisation=member, state=MembershipState.ACTIVE)
    register.units[NEW_CLINIC] = (200, unit_record(NEW_CLINIC, name="FJORD KLINIKK AS"))
    register.units[NEW_SHOP] = (200, unit_record(NEW_SHOP, name="VIK BUTIKK AS", code="47.111"))
    register.units[other.org_number] = (
        200,
        unit_record(other.org_number, name="RINGSAKER KOMMUNE", form="KOMM", code="84.110"),
    )
    register.units[member.org_number] = (200, deleted_record(member.org_number, "2026-11-23"))
    register.event(101, NEW_CLINIC, "Ny")
    register.event(102, NEW_SHOP, "Ny")
    register.event(103, other.org_number, "Endring")
    register.event(104, member.org_number, "Sletting", "2026-11-23T04:00:00.000Z")
    register.event(105, GONE, "Fjernet")  # unknown to the portal: ignored
    register.event(106, "123456789", "Ny")  # invalid number: never fetched


def test_sync_applies_new_changed_and_deleted_units(world, register):
    _feed(world, register)
    report = sync(_client(), size=3)
    assert report.pages == 2 and report.events == 6
    assert FeedCursor.objects.get(feed="enheter").last_update_id == 106
    clinic = Organisation.objects.get(org_number=NEW_CLINIC)
    assert clinic.register_entry.must_be_member
    assert not Organisation.objects.filter(org_number=NEW_SHOP).exists()
    assert Organisation.objects.get(pk=world.org_a.pk).industry_codes == ["84.110"]
    member = Organisation.objects.get(pk=world.enterprise_b.pk)
    assert member.register_status == RegisterStatus.DELETED
    assert FollowUp.objects.get(organisation=member).reason == "deleted"
    fetched = [path for path, _h in register.requests if "/enheter/" in path and "oppdateringer" not in path]
    assert not any("123456789" in path for path in fetched)
    assert not any(GONE in path for path in fetched)


def test_applying_the_same_page_twice_changes_nothing(world, register):
    _feed(world, register)
    sync(_client())
    before = (
        list(Organisation.objects.order_by("pk").values()),
        list(RegisterEntry.objects.values()),
        list(FollowUp.objects.values()),
    )
    assert sync(_client()).events == 0  # resumes after 106
    FeedCursor.objects.update(last_update_id=0)  # replay every page
    report = sync(_client())
    assert report.events == 6 and report.created == 0 and report.updated == 0 and report.follow_ups == 0
    after = (
        list(Organisation.objects.order_by("pk").values()),
        list(RegisterEntry.objects.values()),
        list(FollowUp.objects.values()),
    )
    assert after == before


def test_a_removed_member_is_flagged(world, register):
    member = world.enterprise_b
    Membership.objects.create(organisation=member, state=MembershipState.INVITED)
    register.event(7, member.org_number, "Endring")  # the unit answers 404: removed for legal reasons
    sync(_client())
    member.refresh_from_db()
    assert member.register_status == RegisterStatus.DELETED and member.register_entry.removed
    assert FollowUp.objects.get(organisation=member).reason == "removed"


def test_requests_pin_the_version_and_name_the_portal(world, register):
    _feed(world, register)
    sync(_client())
    headers = {path.split("?")[0]: h for path, h in register.requests}
    feed = headers["/enhetsregisteret/api/oppdateringer/enheter"]
    assert feed["Accept"] == ACCEPT_FEED and feed["User-Agent"] == USER_AGENT
    assert headers[f"/enhetsregisteret/api/enheter/{NEW_CLINIC}"]["Accept"] == ACCEPT_UNIT
    assert all("evil.example" not in path for path, _h in register.requests)


def test_another_version_in_the_answer_is_reported(world, register, caplog):
    _feed(world, register)
    register.unit_type = "application/vnd.brreg.enhetsregisteret.enhet.v3+json"
    report = sync(_client())
    assert report.warnings and "enhet.v3" in report.warnings[0]
    assert "enhet.v3" in caplog.text


def test_temporary_errors_are_retried(world, register):
    _feed(world, register)
    register.failures["/oppdateringer/enheter"] = [503, 502]
    register.failures[f"/enheter/{NEW_CLINIC}"] = [500]
    report = sync(_client())
    assert report.events == 6


def test_a_failing_page_writes_nothing_and_keeps_the_cursor(world, register):
    _feed(world, register)
    register.failures[f"/enheter/{NEW_CLINIC}"] = [500] * 10
    with pytest.raises(RegisterError):
        sync(_client())
    assert FeedCursor.objects.get(feed="enheter").last_update_id == 0
    assert not Organisation.objects.filter(org_number=NEW_CLINIC).exists()
    assert Organisation.objects.get(pk=world.enterprise_b.pk).register_status == RegisterStatus.ACTIVE


def test_redirects_are_not_followed(world, register):
    register.redirect["/oppdateringer/enheter"] = "http://evil.example/feed"
    with pytest.raises(RegisterError, match="not followed"):
        sync(_client())


def test_an_empty_feed_has_no_embedded_key(world, register):
    report = sync(_client())
    assert report.pages == 0 and report.events == 0


def test_invalid_organisation_numbers_are_refused_before_any_request(register):
    with pytest.raises(RegisterError):
        _client().unit("974760674")
    assert register.requests == []


def test_sync_command(world, register, manage):
    _feed(world, register)
    code, out, _err = manage("sync_enhetsregisteret", "--size", "4")
    assert code == 0 and "Last oppdateringsid: 106" in out
    code, _out, err = manage("sync_enhetsregisteret", "--size", "0")
    assert code != 0 and "--size" in err
    register.redirect["/oppdateringer/enheter"] = "http://evil.example/feed"
    FeedCursor.objects.update(last_update_id=0)
    code, _out, err = manage("sync_enhetsregisteret")
    assert code != 0 and "Enhetsregisteret:" in err
