"""The OIDC pieces that need no provider: configuration, step-up decisions, account linking."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from accounts import personal_id
from accounts.models import ExternalIdentity, User
from accounts.oidc import require_acr
from accounts.oidc.providers import configured_providers, get_provider
from accounts.oidc.services import LoginRefused, sign_in_person
from accounts.oidc.testing import persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def providers(settings: Any) -> Any:
    settings.IDPORTEN_ISSUER = "https://idporten.no"
    settings.IDPORTEN_CLIENT_ID = "client"
    settings.IDPORTEN_CLIENT_SECRET = "secret"
    settings.HELSEID_ISSUER = "http://127.0.0.1:9999"
    settings.HELSEID_CLIENT_ID = "helseid-client"
    settings.HELSEID_PRIVATE_KEY_PATH = "/nonexistent.pem"
    return settings


def test_offered_providers_follow_the_environment(providers: Any) -> None:
    idporten, helseid = configured_providers()
    assert (idporten.name, idporten.display_name, idporten.auth_method) == (
        "idporten",
        "ID-porten",
        "client_secret_basic",
    )
    assert (helseid.display_name, helseid.auth_method, helseid.use_par) == ("HelseID (test)", "private_key_jwt", True)
    providers.HELSEID_ISSUER = ""
    assert [p.name for p in configured_providers()] == ["idporten"]
    assert get_provider("helseid") is None


def test_acr_levels_are_ordered(providers: Any) -> None:
    idporten = get_provider("idporten")
    assert idporten is not None
    assert idporten.levels_at_least("idporten-loa-substantial") == ["idporten-loa-substantial", "idporten-loa-high"]
    assert idporten.rank("idporten-loa-high") > idporten.rank("idporten-loa-substantial") > idporten.rank("x")


def _request(session: dict[str, Any] | None = None) -> Any:
    request = RequestFactory().get("/sign/?x=1")
    request.session = SessionStore()
    if session is not None:
        request.session["oidc"] = session
    return request


def test_require_acr(providers: Any) -> None:
    now = int(time.time())
    high = "idporten-loa-high"
    assert require_acr(_request({"provider": "idporten", "acr": high, "auth_time": now}), high) is None
    for session in (
        None,  # a password login
        {"provider": "idporten", "acr": "idporten-loa-substantial", "auth_time": now},  # too low
        {"provider": "idporten", "acr": high, "auth_time": now - 3600},  # not fresh
        {"provider": "idporten", "acr": "made-up", "auth_time": now},
    ):
        response = require_acr(_request(session), high)
        assert response is not None
        assert response.url.startswith("/accounts/oidc/idporten/start/?acr=idporten-loa-high&fresh=1&next=%2Fsign%2F")


def _claims(key: str = "kari", sub: str | None = None) -> dict[str, Any]:
    p = persona(key)
    return {"sub": sub or p["sub"], "pid": p["pid"], "name": p["name"], "acr": "idporten-loa-substantial"}


def test_linking_by_subject_then_by_identity_number(providers: Any) -> None:
    idporten = get_provider("idporten")
    assert idporten is not None
    kari = sign_in_person(provider=idporten, claims=_claims())
    assert kari.email.endswith("@no-email.invalid") and not kari.has_usable_password()
    assert sign_in_person(provider=idporten, claims=_claims()) == kari
    # A new subject at the same issuer with the same identity number: the same person.
    assert sign_in_person(provider=idporten, claims=_claims(sub="rotated")) == kari
    assert ExternalIdentity.objects.filter(user=kari).count() == 2


def test_a_subject_that_changes_person_is_refused(providers: Any) -> None:
    idporten = get_provider("idporten")
    assert idporten is not None
    sign_in_person(provider=idporten, claims=_claims())
    claims = {**_claims(), "pid": persona("mona")["pid"]}
    with pytest.raises(LoginRefused) as refused:
        sign_in_person(provider=idporten, claims=claims)
    assert refused.value.reason == "subject_person_mismatch"
    assert not User.objects.filter(national_id_digest=personal_id.digest(persona("mona")["pid"])).exists()


def test_an_email_never_links(providers: Any) -> None:
    idporten = get_provider("idporten")
    assert idporten is not None
    existing = User.objects.create_user(email="kari@demo.medlemsportal.no", full_name="Kari Nordmann")
    user = sign_in_person(provider=idporten, claims={**_claims(), "email": "kari@demo.medlemsportal.no"})
    assert user != existing


@pytest.mark.parametrize("pid", [None, "", "12345678901", 15457020012])
def test_missing_or_invalid_identity_number_is_refused(providers: Any, pid: Any) -> None:
    idporten = get_provider("idporten")
    assert idporten is not None
    with pytest.raises(LoginRefused):
        sign_in_person(provider=idporten, claims={**_claims(), "pid": pid})
    assert not User.objects.exists()


def test_deactivated_account_is_refused(providers: Any) -> None:
    idporten = get_provider("idporten")
    assert idporten is not None
    kari = sign_in_person(provider=idporten, claims=_claims())
    User.objects.filter(pk=kari.pk).update(is_active=False)
    with pytest.raises(LoginRefused) as refused:
        sign_in_person(provider=idporten, claims=_claims())
    assert refused.value.reason == "inactive"


@pytest.mark.parametrize(("language", "expected"), [("nb", "nb"), ("en", "en"), ("nn", "nn")])
def test_ui_locales_follow_the_portal_language(language: str, expected: str) -> None:
    from django.utils import translation

    from accounts.oidc.views import ui_locales

    with translation.override(language):
        assert ui_locales() == expected
