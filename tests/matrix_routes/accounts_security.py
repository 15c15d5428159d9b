"""Sign-in security in the authorization matrix (issue 15): the second-factor pages, the passkey
endpoints (django-otp-webauthn's JSON API, mounted under accounts/webauthn/) and the unlock page.

Staff sessions in the matrix have passed the second factor (conftest.py); tests/test_second_factor.py
proves the pages refused without it."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix_common import SIGNED_OUT, STAFF, Route, signed_in

UNLOCKERS = {"customer_centre", "system_admin", "superuser"}


def _signed_out_json(outcome: object) -> object:
    """The passkey API answers JSON, never a login redirect: 403 for someone not signed in."""
    return lambda role, target: 403 if role in SIGNED_OUT else outcome


ROUTES = {
    "accounts:second_factor": Route(lambda w, t: reverse("accounts:second_factor"), signed_in(lambda r, t: 200)),
    # Staff have passed it already, members have no device: both are sent on.
    "accounts:second_factor_verify": Route(
        lambda w, t: reverse("accounts:second_factor_verify"), signed_in(lambda r, t: "redirect")
    ),
    "accounts:totp_add": Route(lambda w, t: reverse("accounts:totp_add"), signed_in(lambda r, t: 200)),
    # Members get their codes; staff are asked for a passkey or an app first (their test device is a code list).
    "accounts:recovery_codes": Route(
        lambda w, t: reverse("accounts:recovery_codes"),
        signed_in(lambda r, t: "redirect" if r in STAFF else 200),
        method="post",
    ),
    "accounts:device_remove": Route(
        lambda w, t: reverse("accounts:device_remove", args=["totp", 999_999]),
        signed_in(lambda r, t: 404),
        method="post",
    ),
    "accounts:unlock": Route(
        lambda w, t: reverse("accounts:unlock"), signed_in(lambda r, t: 200 if r in UNLOCKERS else 403)
    ),
    "otp_webauthn:credential-registration-begin": Route(
        lambda w, t: reverse("otp_webauthn:credential-registration-begin"), _signed_out_json(200), method="post"
    ),
    "otp_webauthn:credential-registration-complete": Route(
        lambda w, t: reverse("otp_webauthn:credential-registration-complete"), _signed_out_json(400), method="post"
    ),
    "otp_webauthn:credential-authentication-begin": Route(
        lambda w, t: reverse("otp_webauthn:credential-authentication-begin"), _signed_out_json(200), method="post"
    ),
    "otp_webauthn:credential-authentication-complete": Route(
        lambda w, t: reverse("otp_webauthn:credential-authentication-complete"), _signed_out_json(400), method="post"
    ),
    "otp_webauthn:js-i18n-catalog": Route(lambda w, t: reverse("otp_webauthn:js-i18n-catalog"), lambda r, t: 200),
}
