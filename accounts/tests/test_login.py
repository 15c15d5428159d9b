"""Logging in and out, changing the password, and the security headers on those pages.

The world's users all have the password "correct-horse-battery" (organisations/tests/factories.py).
Messages are asserted in Norwegian, the default language (no Accept-Language header is sent).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "Blåbærsyltetøy-på-Hardangervidda-9"
LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")
HOME = reverse("dashboards:home")
PASSWORD_CHANGE = reverse("accounts:password_change")
WRONG_LOGIN_NB = (
    "E-postadressen eller passordet er feil. Passordet skiller mellom store og små bokstaver, "
    "men det gjør ikke e-postadressen."
)


def logged_in_user_id(client: Any) -> str | None:
    return client.session.get(SESSION_KEY)


def session_key(client: Any) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie else None


# --- Logging in -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email", ["admin.a@example.no", "ADMIN.A@EXAMPLE.NO", "Admin.A@Example.No", " admin.a@example.no "]
)
def test_it_logs_in_with_the_e_mail_in_any_case(world: Any, client: Any, email: str) -> None:
    response = client.post(LOGIN, {"username": email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert logged_in_user_id(client) == str(world["admin_a"].pk)


def test_a_wrong_password_shows_the_translated_error_and_starts_no_session(world: Any, client: Any) -> None:
    response = client.post(LOGIN, {"username": "admin.a@example.no", "password": "Correct-horse-battery"})

    assert response.status_code == 200
    assert WRONG_LOGIN_NB in response.content.decode()
    assert logged_in_user_id(client) is None
    assert client.get(HOME).status_code == 302


def test_the_error_is_english_for_an_english_speaker(world: Any, client: Any) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(LOGIN, {"username": "admin.a@example.no", "password": "wrong"})

    assert "The e-mail address or password is wrong." in response.content.decode()


def test_an_unknown_e_mail_gets_the_same_answer_as_a_wrong_password(world: Any, client: Any) -> None:
    unknown = client.post(LOGIN, {"username": "ingen@example.no", "password": PASSWORD})
    wrong = client.post(LOGIN, {"username": "admin.a@example.no", "password": "wrong"})

    assert unknown.status_code == wrong.status_code == 200
    assert WRONG_LOGIN_NB in unknown.content.decode()
    assert unknown.context["form"].errors == wrong.context["form"].errors


def test_a_deactivated_user_cannot_log_in(world: Any, client: Any) -> None:
    response = client.post(LOGIN, {"username": "gone.a@example.no", "password": PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert logged_in_user_id(client) is None
    assert client.get(HOME).status_code == 302


def test_the_session_key_changes_at_login(world: Any, client: Any) -> None:
    """Session fixation: a session key known before login (planted by an attacker) is worthless after."""
    before = client.session  # the test client creates and stores a session, and sets its cookie
    before["planted"] = "by an attacker"
    before.save()
    old_key = before.session_key
    assert session_key(client) == old_key

    client.post(LOGIN, {"username": "member.a@example.no", "password": PASSWORD})

    new_key = session_key(client)
    assert new_key and new_key != old_key
    assert not SessionStore().exists(old_key)
    assert logged_in_user_id(client) == str(world["member_a"].pk)


def test_it_does_not_redirect_to_another_site_after_login(world: Any, client: Any) -> None:
    response = client.post(
        LOGIN, {"username": "member.a@example.no", "password": PASSWORD, "next": "https://evil.example/phish"}
    )

    assert response.status_code == 302
    assert response["Location"] == HOME


def test_it_follows_a_next_address_on_this_site(world: Any, client: Any) -> None:
    target = world.org_a.get_absolute_url()

    response = client.post(LOGIN, {"username": "member.a@example.no", "password": PASSWORD, "next": target})

    assert response["Location"] == target


# --- Logging out ----------------------------------------------------------------------------------


def test_logout_refuses_get(world: Any, login: Any) -> None:
    client = login(world["member_a"])

    response = client.get(LOGOUT)

    assert response.status_code == 405
    assert logged_in_user_id(client) == str(world["member_a"].pk)  # a link or an <img> cannot log you out
    assert client.get(HOME).status_code == 200


def test_logout_by_post_ends_the_session(world: Any, login: Any) -> None:
    client = login(world["member_a"])
    old_key = session_key(client)

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not SessionStore().exists(old_key)
    assert logged_in_user_id(client) is None
    home = client.get(HOME)
    assert home.status_code == 302
    assert home["Location"].startswith(LOGIN)


# --- Changing the password ------------------------------------------------------------------------


def test_a_too_short_new_password_is_rejected_with_the_validator_message(world: Any, login: Any) -> None:
    """Asserted in English (language cookie "en"): the Norwegian text is the test below."""
    user = world["member_a"]
    client = login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password1": "Kort-7x", "new_password2": "Kort-7x"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"] == [
        "This password is too short. It must contain at least 12 characters."
    ]
    assert "This password is too short. It must contain at least 12 characters." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_other_validator_messages_are_norwegian_on_a_norwegian_page(world: Any, login: Any) -> None:
    response = login(world["member_a"]).post(
        PASSWORD_CHANGE,
        {"old_password": PASSWORD, "new_password1": "48291037561928", "new_password2": "48291037561928"},
    )

    assert response.status_code == 200
    assert "Dette passordet inneholder bare tall." in response.content.decode()


def test_the_too_short_message_is_norwegian_on_a_norwegian_page(world: Any, login: Any) -> None:
    response = login(world["member_a"]).post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password1": "Kort-7x", "new_password2": "Kort-7x"}
    )

    assert response.status_code == 200
    assert "Passordet er for kort. Det må bestå av minst 12 tegn." in response.content.decode()


def test_a_wrong_old_password_is_rejected(world: Any, login: Any) -> None:
    user = world["member_a"]

    response = login(user).post(
        PASSWORD_CHANGE, {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_good_new_password_is_accepted_and_works_at_the_next_login(world: Any, login: Any) -> None:
    user = world["member_a"]
    client = login(user)

    response = client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    assert client.get(HOME).status_code == 200  # still logged in on this device
    client.post(LOGOUT)

    old = client.post(LOGIN, {"username": "member.a@example.no", "password": PASSWORD})
    assert old.status_code == 200
    assert logged_in_user_id(client) is None

    new = client.post(LOGIN, {"username": "member.a@example.no", "password": NEW_PASSWORD})
    assert new.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


# --- Security headers -----------------------------------------------------------------------------


def test_the_login_page_sets_the_security_headers(db: Any, client: Any) -> None:
    response = client.get(LOGIN)

    assert response.status_code == 200
    csp = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("page", ["home", "organisation", "password_change"])
def test_an_authenticated_page_is_never_stored_by_a_cache(world: Any, login: Any, page: str) -> None:
    url = {
        "home": HOME,
        "organisation": world.org_a.get_absolute_url(),
        "password_change": PASSWORD_CHANGE,
    }[page]

    response = login(world["member_a"]).get(url)

    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
