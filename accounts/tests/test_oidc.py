"""Login with ID-porten and HelseID through the real local OpenID Provider (real HTTP on loopback)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from django.test import Client
from django.urls import reverse

from accounts import personal_id
from accounts.models import ExternalIdentity, User
from accounts.oidc import require_acr
from accounts.oidc.testing import (  # noqa: F401 - fixtures
    DevProvider,
    drive,
    handoff_url,
    oidc_dev_provider_fixture,
    oidc_providers_fixture,
    persona,
)
from accounts.oidc.views import TX_KEY
from core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def start(client: Client, name: str = "idporten", **query: str) -> str:
    response = client.get(reverse("accounts:oidc_start", args=[name]) + ("?" + urlencode(query) if query else ""))
    assert response.status_code == 302, response
    return response["Location"]


def finish(client: Client, callback_url: str) -> Any:
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}", follow=True)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_login_page_offers_id_porten_first_and_hides_unconfigured(client: Client, oidc_providers: DevProvider) -> None:
    html = client.get(reverse("accounts:login")).content.decode()
    assert html.index("Log in with ID-porten (test)") < html.index("Log in with HelseID (test)")


def test_no_issuer_no_button(client: Client, settings: Any) -> None:
    settings.IDPORTEN_ISSUER = ""
    settings.HELSEID_ISSUER = ""
    assert b"ID-porten" not in client.get(reverse("accounts:login")).content
    assert client.get(reverse("accounts:oidc_start", args=["idporten"])).status_code == 404


def test_kari_logs_in_with_id_porten(client: Client, oidc_providers: DevProvider) -> None:
    authorize = start(client)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["acr_values"] == ["idporten-loa-substantial"]
    assert query["ui_locales"] == ["en"]  # the portal's language
    assert {"state", "nonce", "code_challenge"} <= set(query)
    response = finish(client, drive(authorize))
    assert logged_in(client)
    # ID-porten gives no e-mail address: a first ordinary login is asked for it, then goes on to the front page.
    assert response.redirect_chain[-1][0] == f"{reverse('accounts:email')}?next=%2F"
    kari = User.objects.get(pk=client.session["_auth_user_id"])
    assert not kari.has_email
    assert kari.full_name == "Kari Nordmann"
    assert kari.birth_date == personal_id.birth_date(persona("kari")["pid"])
    assert kari.national_id_digest == personal_id.digest(persona("kari")["pid"])
    identity = ExternalIdentity.objects.get(user=kari)
    assert (identity.issuer, identity.subject) == (oidc_providers.idporten, "dev-kari")
    assert AuditEvent.objects.filter(action="account.login_oidc", object_id=str(kari.pk)).exists()
    # The identity number is nowhere in the session or the audit trail.
    assert persona("kari")["pid"] not in str(dict(client.session))
    assert not AuditEvent.objects.filter(after__icontains=persona("kari")["pid"]).exists()


def test_existing_account_is_found_by_identity_number(client: Client, oidc_providers: DevProvider) -> None:
    kari = User.objects.create_user(email="kari@example.no", password="x" * 14, full_name="K. Nordmann")
    kari.national_id_digest = personal_id.digest(persona("kari")["pid"])
    kari.save()
    finish(client, drive(start(client)))
    assert client.session["_auth_user_id"] == str(kari.pk)
    kari.refresh_from_db()
    assert kari.full_name == "Kari Nordmann"


def test_helseid_with_par_and_private_key_jwt_links_the_same_person(
    client: Client, oidc_providers: DevProvider
) -> None:
    finish(client, drive(start(client)))
    kari_id = client.session["_auth_user_id"]
    client.logout()
    authorize = start(client, "helseid")
    query = parse_qs(urlsplit(authorize).query)
    assert set(query) == {"client_id", "request_uri"}  # pushed: the browser carries no parameters
    finish(client, drive(authorize))
    assert client.session["_auth_user_id"] == kari_id
    assert ExternalIdentity.objects.filter(user_id=kari_id).count() == 2


def test_helseid_records_the_hpr_number(client: Client, oidc_providers: DevProvider) -> None:
    finish(client, drive(start(client, "helseid"), who="ola"))
    identity = ExternalIdentity.objects.get(issuer=oidc_providers.helseid, subject="dev-ola")
    assert identity.hpr_number == persona("ola")["hpr"]


def test_logout_ends_the_provider_session_too(client: Client, oidc_providers: DevProvider) -> None:
    finish(client, drive(start(client)))
    response = client.post(reverse("accounts:logout"))
    assert not logged_in(client)
    assert response.status_code == 200  # a page that refreshes to the provider: CSP form-action is 'self'
    url = handoff_url(response)
    assert url.startswith(f"{oidc_providers.idporten}/session/end?")
    assert "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2Faccounts%2Flogin%2F" in url


def test_logout_hands_the_provider_the_id_token_from_the_login(client: Client, oidc_providers: DevProvider) -> None:
    """ID-porten's end-session endpoint needs id_token_hint. The token is kept server-side, sealed: it carries
    the identity number, which is nowhere readable in the session."""
    import base64
    import json

    import requests

    finish(client, drive(start(client)))
    stored = str(dict(client.session))
    assert "id_token_sealed" in stored
    assert "eyJ" not in stored  # no JWT (base64url of '{"') in the clear
    assert persona("kari")["pid"] not in stored

    url = handoff_url(client.post(reverse("accounts:logout")))

    query = parse_qs(urlsplit(url).query)
    hint = query["id_token_hint"][0]
    payload = json.loads(base64.urlsafe_b64decode(hint.split(".")[1] + "=="))
    assert payload["sub"] == "dev-kari" and payload["aud"] == query["client_id"][0]
    answer = requests.get(url, timeout=10)  # the provider accepts the hint: it asks to confirm the logout
    assert answer.status_code == 200, answer.text[:500]
    forged = requests.get(url.replace(hint, hint[:-8] + "AAAAAAAA"), timeout=10)  # and checks it
    assert forged.status_code == 400


def test_a_sealed_id_token_opens_only_with_the_sites_keys(settings: Any) -> None:
    from accounts.oidc.views import open_id_token, seal_id_token

    sealed = seal_id_token("header.payload.signature")
    assert "payload" not in sealed
    assert open_id_token(sealed) == "header.payload.signature"
    assert open_id_token(sealed[:-4] + "AAAA") == ""  # tampered
    assert open_id_token("") == ""
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key-" * 5, [settings.SECRET_KEY]
    assert open_id_token(sealed) == "header.payload.signature"  # rotated: the fallback still opens it
    settings.SECRET_KEY_FALLBACKS = []
    assert open_id_token(sealed) == ""  # gone: logout falls back to client_id alone


def test_next_is_kept_and_foreign_next_ignored(client: Client, oidc_providers: DevProvider) -> None:
    response = finish(client, drive(start(client, next="/organisations/")))
    assert response.redirect_chain[0][0] == "/organisations/"
    client.logout()
    response = finish(client, drive(start(client, next="https://evil.example/")))
    # The front page instead (by way of the e-mail address question: Kari has given none).
    assert response.redirect_chain[0][0] == f"{reverse('accounts:email')}?next=%2F"


def test_step_up_requires_a_fresh_high_login(client: Client, oidc_providers: DevProvider, rf: Any) -> None:
    finish(client, drive(start(client)))
    request = rf.get("/sign/")
    request.session = client.session
    redirect = require_acr(request, "idporten-loa-high")
    assert redirect is not None
    assert "acr=idporten-loa-high" in redirect.url and "fresh=1" in redirect.url
    authorize = client.get(redirect.url)["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["prompt"] == ["login"] and query["acr_values"] == ["idporten-loa-high"]
    response = finish(client, drive(authorize))
    assert response.redirect_chain[0][0] == "/sign/"
    request.session = client.session
    assert require_acr(request, "idporten-loa-high") is None


def test_step_up_as_another_person_is_refused(client: Client, oidc_providers: DevProvider, rf: Any) -> None:
    finish(client, drive(start(client)))
    kari_id = client.session["_auth_user_id"]
    response = finish(client, drive(start(client, acr="idporten-loa-high", fresh="1"), who="ingrid"))
    assert "You logged in as another person" in response.content.decode()
    assert client.session["_auth_user_id"] == kari_id


# ------------------------------------------------------------------------------------ the negative suite
# Each case: the login is refused with a clear message and the client has no session.


def _without(url: str, name: str, value: str | None = None) -> str:
    parts = urlsplit(url)
    query = {k: v for k, v in parse_qs(parts.query).items() if k != name}
    if value is not None:
        query[name] = [value]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))


def case_missing_state(client: Client, p: DevProvider) -> str:
    return _without(drive(start(client)), "state")


def case_wrong_state(client: Client, p: DevProvider) -> str:
    return _without(drive(start(client)), "state", "forged-state")


def case_replayed_callback(client: Client, p: DevProvider) -> str:
    callback = drive(start(client))
    finish(client, callback)
    client.logout()
    return callback


def case_replayed_nonce(client: Client, p: DevProvider) -> str:
    start(client)
    old_nonce = client.session[TX_KEY]["nonce"]
    authorize = start(client)  # a new login: the old nonce is spent
    p.tamper(p.idporten, f"nonce={old_nonce}")
    return drive(authorize)


def _tampered(mode: str) -> Any:
    def case(client: Client, p: DevProvider) -> str:
        authorize = start(client)
        p.tamper(p.idporten, mode)
        return drive(authorize)

    return case


def case_acr_too_low(client: Client, p: DevProvider) -> str:
    return drive(start(client), acr="idporten-loa-low")


def case_same_sub_second_issuer(client: Client, p: DevProvider) -> str:
    finish(client, drive(start(client)))  # Kari's ID-porten identity is linked: (idporten, dev-kari)
    client.logout()
    authorize = start(client, "helseid")
    p.tamper(p.helseid, "drop_pid")  # the second issuer asserts the same sub, but not who the person is
    return drive(authorize)


def case_provider_error(client: Client, p: DevProvider) -> str:
    return drive(_without(start(client), "prompt", "none"))  # the provider answers login_required


def case_user_cancels(client: Client, p: DevProvider) -> str:
    return drive(start(client), cancel=True)


# case -> (how it is made, the refusal reason the portal logs)
NEGATIVE_CASES = {
    "missing state": (case_missing_state, "refused: state"),
    "wrong state": (case_wrong_state, "refused: state"),
    "replayed callback (code and state)": (case_replayed_callback, "refused: state"),
    "replayed nonce": (case_replayed_nonce, "'nonce'"),
    "wrong nonce": (_tampered("wrong_nonce"), "'nonce'"),
    "wrong aud": (_tampered("wrong_aud"), "'aud'"),
    "wrong iss": (_tampered("wrong_iss"), "'iss'"),
    "expired token": (_tampered("expired"), "expired_token"),
    "alg=none": (_tampered("alg_none"), "unsupported_algorithm"),
    "HS256 signed with the public key": (_tampered("hs256_public_key"), "unsupported_algorithm"),
    "acr below what login needs (genuine token)": (case_acr_too_low, "refused: acr"),
    "acr claim rewritten to low": (_tampered("low_acr"), "refused: acr"),
    "same sub from a second issuer": (case_same_sub_second_issuer, "refused: no_pid"),
    "error response from the provider": (case_provider_error, "provider error login_required"),
    "user cancels at the provider": (case_user_cancels, "refused: cancelled"),
}


@pytest.mark.parametrize("case", list(NEGATIVE_CASES))
def test_negative_case_is_refused(client: Client, oidc_providers: DevProvider, case: str, caplog: Any) -> None:
    make, reason = NEGATIVE_CASES[case]
    callback = make(client, oidc_providers)
    with caplog.at_level(logging.INFO, logger="accounts.oidc.views"):
        response = finish(client, callback)
    assert reason in caplog.text, caplog.text
    assert not logged_in(client), f"{case}: accepted"
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and messages[0], f"{case}: no message"


def test_same_sub_from_second_issuer_never_reaches_the_first_account(
    client: Client, oidc_providers: DevProvider
) -> None:
    finish(client, drive(start(client)))
    kari_id = client.session["_auth_user_id"]
    client.logout()
    authorize = start(client, "helseid")
    mona_pid = persona("mona")["pid"]
    oidc_providers.tamper(oidc_providers.helseid, "drop_pid")
    finish(client, drive(authorize))
    assert not logged_in(client)
    # Linked by (issuer, subject) only: the second issuer's "dev-kari" is not Kari's identity.
    assert not ExternalIdentity.objects.filter(issuer=oidc_providers.helseid, subject="dev-kari").exists()
    assert User.objects.filter(pk=kari_id, national_id_digest=personal_id.digest(persona("kari")["pid"])).exists()
    assert mona_pid
