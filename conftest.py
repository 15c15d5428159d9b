"""Named personas shared by every test: two municipalities in different counties and networks.

* ``admin_a``   – administrator and signatory (general manager) of municipality A
* ``member_a``  – technical contact of A
* ``admin_b``   – administrator of municipality B
* ``coordinator_a`` – coordinator of A's Diginettverk
* ``staff`` personas – one per NHN staff role, plus a superuser
* ``deactivated_a`` – a former technical contact of A whose account is deactivated
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from core.roles import OrganisationRoleType, SignatoryBasis, StaffRole
from organisations.tests.factories import (
    CountyFactory,
    DiginettverkFactory,
    MunicipalityFactory,
    OrganisationFactory,
    RoleFactory,
    UserFactory,
)

# The security report's per-family tallies (written only when SECURITY_REPORT_DIR is set).
pytest_plugins = ["tests.security_report"]


@dataclass
class World:
    municipality_a: Any
    municipality_b: Any
    org_a: Any
    org_b: Any
    enterprise_b: Any
    users: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, persona: str) -> Any:
        return self.users[persona]


ROLES_FOR_MATRIX = [
    "anonymous",
    "member_a",
    "admin_a",
    "admin_b",
    "coordinator_a",
    "deactivated_a",
    "membership_manager",
    "customer_centre",
    "cert_analyst",
    "system_admin",
    "superuser",
]


@pytest.fixture(scope="session")
def fake_register() -> Any:
    """A local Enhetsregisteret on loopback for the whole session (roles, units, feeds in the real
    shapes): authority to sign is read from it, so no test reaches data.brreg.no."""
    from django.conf import settings

    from enhetsregisteret.tests.fake_register import FakeRegister

    with FakeRegister() as fake:
        before = settings.ENHETSREGISTERET_URL
        settings.ENHETSREGISTERET_URL = fake.url
        yield fake
        settings.ENHETSREGISTERET_URL = before


@pytest.fixture
def register_roles(fake_register: Any) -> Any:
    """The register's roles for this test: ``register_roles.set(org, *roles)`` (see fake_register.person_role)."""
    from enhetsregisteret.tests.fake_register import roles_answer

    fake_register.roles.clear()

    class Roles:
        fake = fake_register

        @staticmethod
        def set(org: Any, *roles: dict[str, Any]) -> None:
            fake_register.roles[org.org_number] = (200, roles_answer(*roles))

    yield Roles
    fake_register.roles.clear()


ADMIN_A_BORN = "1971-03-14"


@pytest.fixture
def world(db: Any, register_roles: Any) -> World:
    county_a, county_b = CountyFactory(number="34", name="Innlandet"), CountyFactory(number="46", name="Vestland")
    net_a, net_b = DiginettverkFactory(name="Digi Innlandet"), DiginettverkFactory(name="DigiVestland")
    mun_a = MunicipalityFactory(number="3411", name="Ringsaker", county=county_a, diginettverk=net_a)
    mun_b = MunicipalityFactory(number="4601", name="Bergen", county=county_b, diginettverk=net_b)
    enterprise_b = OrganisationFactory(name="Bergen Legesenter AS", address_municipality=mun_b)
    users = {
        "member_a": UserFactory(email="member.a@example.no", full_name="Mette Medlem"),
        "admin_a": UserFactory(email="admin.a@example.no", full_name="Anne Admin"),
        "admin_b": UserFactory(email="admin.b@example.no", full_name="Bjørn Bergen"),
        "coordinator_a": UserFactory(email="coord.a@example.no", full_name="Siri Koordinator"),
        "deactivated_a": UserFactory(email="gone.a@example.no", full_name="Gunnar Gått", is_active=False),
    }
    for role in StaffRole:
        users[role.value] = UserFactory(email=f"{role.value}@nhn.example.no", staff_role=role)
    users["superuser"] = UserFactory(email="root@nhn.example.no", is_superuser=True)
    org_a, org_b = mun_a.organisation, mun_b.organisation
    RoleFactory(user=users["member_a"], organisation=org_a, role=OrganisationRoleType.TECHNICAL_CONTACT)
    RoleFactory(user=users["admin_a"], organisation=org_a, role=OrganisationRoleType.ADMIN)
    RoleFactory(
        user=users["admin_a"],
        organisation=org_a,
        role=OrganisationRoleType.SIGNATORY,
        signatory_basis=SignatoryBasis.GENERAL_MANAGER,
    )
    RoleFactory(user=users["admin_b"], organisation=org_b, role=OrganisationRoleType.ADMIN)
    RoleFactory(user=users["deactivated_a"], organisation=org_a, role=OrganisationRoleType.TECHNICAL_CONTACT)
    users["coordinator_a"].coordinator_assignments.create(diginettverk=net_a)
    # Enhetsregisteret says Anne Admin is A's municipal director (DAGL): her authority to sign.
    import datetime as dt

    from enhetsregisteret.tests.fake_register import person_role

    users["admin_a"].birth_date = dt.date.fromisoformat(ADMIN_A_BORN)
    users["admin_a"].save(update_fields=["birth_date"])
    register_roles.set(
        org_a, person_role("DAGL", "Anne", "Admin", ADMIN_A_BORN, description="Daglig leder/ adm.direktør")
    )
    return World(mun_a, mun_b, org_a, org_b, enterprise_b, users)


@pytest.fixture
def login(client: Any) -> Any:
    """Log a persona in on the test client (a real session, through the authentication backend).

    A staff persona's session has passed the second factor too (see ``_staff_pass_second_factor``)."""

    def _login(user: Any) -> Any:
        if user is not None:
            client.force_login(user, backend="accounts.backends.PortalBackend")
        return client

    return _login


def page_query_count(captured_queries: list[dict[str, Any]]) -> int:
    """A page's queries, without the footer's opening hours: those are read once per process every 30 s
    (support.hours.summary), not per page, so only the first page of a test reads them."""
    return sum(1 for query in captured_queries if "support_openinghours" not in query["sql"])


def pass_second_factor(client: Any, user: Any) -> None:
    """Mark the client's session as having passed a second factor with a test device of ``user``'s."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    device, _created = StaticDevice.objects.get_or_create(user=user, name="test second factor")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def _staff_pass_second_factor(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test client that logs a staff member in (``login``, ``client.force_login``) gets a session
    that has passed the second factor, as after a real login with a passkey. Tests of the gate itself
    opt out with ``@pytest.mark.without_second_factor`` (their force_login is Django's own, audited)."""
    if request.node.get_closest_marker("without_second_factor"):
        return
    from django.test.client import ClientMixin

    original = ClientMixin.force_login

    def force_login(self: Any, user: Any, backend: str | None = None) -> None:
        # force_login is the tests' shortcut past the login form: it leaves no auth.login audit event, so
        # "nothing was audited" still means what it says. Real logins are audited (accounts/tests).
        from django.contrib.auth.signals import user_logged_in

        from accounts.signals import _logged_in

        user_logged_in.disconnect(dispatch_uid="accounts.audit_login")
        try:
            original(self, user, backend)
        finally:
            user_logged_in.connect(_logged_in, dispatch_uid="accounts.audit_login")
        if user.is_staff:
            pass_second_factor(self, user)

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture
def english(client: Any) -> Any:
    """Assertions read the English texts: pages are asked for in English, services run in English, so the
    tests hold when the Norwegian catalogue is filled in. An app's tests/conftest.py can use it autouse; a test
    that checks the Norwegian text asks for it with ``HTTP_ACCEPT_LANGUAGE="nb"``."""
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    """Each test starts with an empty cache, as it starts with an empty database."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(scope="session", autouse=True)
def signing_ca() -> Any:
    """The tests' own demo CA for sealing agreements (made once per machine, under var/test-signing), and a real
    local RFC 3161 timestamp authority issued from it, in its own process on a free loopback port."""
    import datetime as dt
    import os
    import subprocess
    import sys

    import time_machine
    from django.conf import settings

    from core import sealing
    from lib.pades import ensure_demo_ca

    ensure_demo_ca(settings.SIGNING_PKCS12_PATH.parent, settings.SIGNING_PKCS12_PASSWORD)
    tsa = subprocess.Popen(  # noqa: S603 – our own module, run by this interpreter
        [sys.executable, "-m", "lib.pades.tsa", "--p12", str(settings.TIMESTAMP_AUTHORITY_PKCS12_PATH), "--port", "0"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "SIGNING_PKCS12_PASSWORD": settings.SIGNING_PKCS12_PASSWORD},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = tsa.stdout.readline() if tsa.stdout else ""
        if not line.startswith("listening on "):
            raise RuntimeError(f"The local timestamp authority did not start: {line!r}")
        previous = settings.TIMESTAMP_AUTHORITY_URL
        settings.TIMESTAMP_AUTHORITY_URL = line.removeprefix("listening on ").strip()
        # Tests move the clock (time-machine) and then sign; the TSA, in its own process, stamps the real time, and
        # the seal is judged at that time. So the sealer validates its chains at the real time too.
        hatch = time_machine.escape_hatch
        sealing.CLOCK = lambda: (hatch.datetime.datetime if hatch.is_travelling() else dt.datetime).now(dt.UTC)
        yield settings.TIMESTAMP_AUTHORITY_URL
        sealing.CLOCK = None
        settings.TIMESTAMP_AUTHORITY_URL = previous
    finally:
        tsa.terminate()
        tsa.wait(timeout=10)


TERMS_TEXT = "# Vilkår\n\nMedlemmet skal følge *Normen*.\n\n- Tilgang etter tjenstlig behov\n- Logger"


@pytest.fixture
def terms(world: World) -> Any:
    """A published version that municipalities and AS must sign, and a draft of the next one."""
    import datetime as dt

    from django.utils import timezone

    from memberships.choices import TermsStatus
    from memberships.models import TermsVersion
    from memberships.services import terms_text_sha256

    published = TermsVersion(
        label="T1",
        status=TermsStatus.PUBLISHED,
        membership_terms=TERMS_TEXT,
        data_processing="Databehandler.",
        customer_agreement="Kundeavtale.",
        effective_date=dt.date(2030, 4, 1),
        sign_by=dt.date(2030, 3, 31),
        required_forms=["KOMM", "AS"],
        published_at=timezone.now(),
    )
    published.text_sha256 = terms_text_sha256(published)
    published.save()
    draft = TermsVersion.objects.create(
        label="T2",
        membership_terms=TERMS_TEXT,
        data_processing="D.",
        customer_agreement="K.",
        effective_date=dt.date(2031, 4, 1),
        sign_by=dt.date(2031, 3, 31),
        required_forms=["KOMM"],
    )
    return type("Terms", (), {"published": published, "draft": draft})


def sign_for(world: World, terms: Any, org: Any, signer: Any) -> Any:
    from memberships.services import Authority, record_signature
    from organisations.models import OrganisationRole

    grant = OrganisationRole.objects.filter(user=signer, organisation=org, role="signatory").first()
    if grant is None:
        grant = OrganisationRole.objects.create(
            user=signer, organisation=org, role="signatory", signatory_basis="signature_right"
        )
    authority = Authority(grant=grant, basis=grant.signatory_basis, text="Signaturrett")
    return record_signature(organisation=org, version=terms.published, signer=signer, authority=authority, notify=False)


@pytest.fixture
def signatures(world: World, terms: Any) -> dict[str, Any]:
    """Org A's and org B's signatures of the published terms."""
    return {
        "A": sign_for(world, terms, world.org_a, world["admin_a"]),
        "B": sign_for(world, terms, world.org_b, UserFactory(email="signer.b@example.no", full_name="Berit Signatar")),
    }


@pytest.fixture
def manage(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """Run `manage.py <args>` in this process, so it sees the test's data: (exit code, stdout, stderr).

    run_from_argv closes every connection when it ends; that would end the test's transaction on PostgreSQL."""
    from django.core.management import ManagementUtility
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)

    def _manage(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            ManagementUtility(["manage.py", *args]).execute()
            code = 0
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return _manage


@pytest.fixture
def run_worker(django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Run the queued jobs the way production does (``manage.py db_worker --batch``), until none is ready.

    Jobs enqueue further jobs when their transaction commits (an invitation queues e-mails, whose delivery is
    a job of its own), so the worker runs inside ``django_capture_on_commit_callbacks(execute=True)`` and again
    while something is ready. A job scheduled for later (a retry) waits for the clock, as in production.

    The worker calls ``close_old_connections()`` between jobs. Inside a test's transaction that would close the
    connection on PostgreSQL (autocommit is off there, which Django takes for a connection left in a bad state),
    so it is a no-op here; everything else is the real worker.
    """
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def _run() -> None:
        for _ in range(20):
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                call_command("db_worker", queue_name="*", batch=True, startup_delay=False, stdout=io.StringIO())
            if not callbacks and not DBTaskResult.objects.ready().exists():
                return
        raise AssertionError("jobs keep enqueuing ready jobs: a loop?")

    return _run


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Any:
    """Each test starts with empty rate-limit counters (they live in the process's memory in tests)."""
    from core import ratelimit

    ratelimit.reset()
    yield
