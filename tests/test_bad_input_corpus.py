"""T6: a bad-input corpus sent to every field of every form page of the portal, and to the API's query parameters.

The form pages are found, not listed: every route of the authorization matrix is opened (GET) as a member
administrator of org A and as a superuser; each page that shows a form (``form`` in its context) is
posted back with the form's own initial values and, one field at a time, each payload of the corpus that
fits the field's type. For every request:

- no 5xx;
- a payload that must be refused (control, bidi and zero-width characters, a line break in a one-line
  field, one character over the maximum length, an impossible or far-off date, a number beyond any
  column, an invalid organisation number) is refused with a message on that very field; and after all of a
  form's refusals the database is exactly as before (nothing stored half-way);
- a payload that may be accepted (emoji, HTML/SQL/template fragments, other scripts, 10,000 characters in
  free text) is either accepted or refused with a message, never a server error.

The shared checks behind the refusals are ``core.forms.add_input_validators`` (every form of the portal
inherits ``PortalFormMixin``; ``test_every_form_of_the_portal_uses_the_shared_validation`` sees to it).
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from collections import Counter
from typing import Any

from django import forms
from django.test import Client

from conftest import World
from core.forms import PortalFormMixin
from tests.test_authorization_matrix import ROUTES, fast_documents, full_world  # noqa: F401
from tests.test_csrf_every_route import database_fingerprint

FORM_APPS = [
    "accounts",
    "advisories",
    "agreements",
    "connections",
    "dashboards",
    "enhetsregisteret",
    "events",
    "incidents",
    "integrations",
    "invitations",
    "memberships",
    "orders",
    "organisations",
    "suggestions",
    "support",
    "surveys",
]
# Forms that are Django's own or a library's, where the portal adds nothing typed by people.
NOT_PORTAL_FORMS = {"accounts.forms.LoginForm"}  # django-axes and the login's own tests (T12) own it

# Who opened what (Normen): written by every view of an incident, refused form or not.
ACCESS_LOGS = {"incidents.incidentaccesslog"}
# Text that must be refused wherever people type text.
INVISIBLE = {
    "control-nul": "abc\x00def",
    "control-soh": "abc\x01def",
    "control-esc": "\x1b[31mred",
    "control-del": "a\x7fb",
    "bidi-rlo": "faktura\u202egpj.exe",
    "bidi-isolate": "a\u2066b\u2069c",
    "zero-width-space": "zero\u200bwidth",
    "zero-width-bom": "\ufeffstart",
    "left-to-right-mark": "a\u200eb",
    "line-separator": "a\u2028b",
}
ONE_LINE = {"crlf-header": "Emne\r\nBcc: angriper@example.org", "newline": "første\nandre"}
# Text that may be accepted (or refused with a message), never a server error.
MAY_ACCEPT = {
    "emoji": "Kaffe ☕ 😀 👨\u200d👩\u200d👧",
    "norwegian": "Blåbærsyltetøy ÆØÅ æøå",
    "arabic-indic-digits": "٩٧٤٧٦٠٦٧٣",
    "html": "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "sql": "'; DROP TABLE organisations_organisation; --",
    "template": "{{ settings.SECRET_KEY }}{% debug %}",
    "blank": "   ",
    "long-10000": "x" * 10_000,
}
NUMBERS_REFUSED = {"int64-overflow": "9" * 25, "beyond-int32": "2147483648", "nan": "NaN", "inf": "1e309"}
DATES_REFUSED = {"impossible": "2024-02-30", "far-future": "9999-12-31", "year-five-digits": "10000-01-01"}
DATES_MAY = {"ancient": "0001-01-01", "leap-day": "2028-02-29", "words": "i morgen"}
ORGNR_REFUSED = {"mod11": "974760674", "zeros": "000000000", "eight-digits": "97476067", "ten": "9747606730"}


def payloads(field: forms.Field) -> tuple[dict[str, str], dict[str, str]]:
    """(must be refused, may be accepted) for one field, by its type."""
    from organisations.fields import OrgNumberFormField

    refused: dict[str, str] = {}
    if isinstance(field, (forms.FileField, forms.BooleanField)):
        return {}, {}
    if isinstance(field, OrgNumberFormField):
        return {**ORGNR_REFUSED, **INVISIBLE}, {"arabic-indic-digits": "٩٧٤٧٦٠٦٧٣", "html": MAY_ACCEPT["html"]}
    if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
        refused.update(INVISIBLE)
        if not isinstance(field.widget, forms.Textarea):
            refused.update(ONE_LINE)
        if field.max_length:
            refused["over-max-length"] = "x" * (field.max_length + 1)
        return refused, dict(MAY_ACCEPT)
    if isinstance(field, forms.IntegerField):
        return dict(NUMBERS_REFUSED), {"negative": "-1", "text": "tolv", "sql": MAY_ACCEPT["sql"], "nul": "1\x00"}
    if isinstance(field, (forms.DateField, forms.DateTimeField)):
        return dict(DATES_REFUSED), {**DATES_MAY, "nul": "2026-01-01\x00", "html": MAY_ACCEPT["html"]}
    # Choices, model choices, times, IP addresses: anything odd is simply not a valid value.
    return {}, {"nul": "a\x00", "sql": MAY_ACCEPT["sql"], "huge": "9" * 25, "rlo": "\u202e1"}


def initial_data(form: forms.BaseForm) -> dict[str, Any]:
    """What the page would post back untouched: each field's initial value, or its first real choice."""
    data: dict[str, Any] = {}
    for bound in form:
        field, value = bound.field, bound.value()
        if isinstance(field, forms.FileField):
            continue
        if isinstance(field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(field, forms.ChoiceField) and value in (None, "", []):
            choices = [str(c[0]) for c in getattr(field, "choices", []) if str(c[0]) not in ("", "None")]
            value = choices[:1] if isinstance(field, forms.MultipleChoiceField) else (choices[0] if choices else "")
        if isinstance(value, (list, tuple)):
            data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, (dt.date, dt.datetime)):
            data[bound.html_name] = value.isoformat()
        elif value is not None:
            data[bound.html_name] = str(getattr(value, "pk", value))
    return data


def _form_pages(world: World, client: Client, seen: set[type]) -> list[tuple[str, str, forms.BaseForm, bool]]:
    """(route, where the page's form is sent, the form, sent by GET) for each page that shows a form."""
    pages = []
    urls = [(name, route.url(world, target)) for name, route in sorted(ROUTES.items()) for target in route.targets]
    for name, url in urls:
        if url.startswith("/api/") or "logout" in name:
            continue
        response = client.get(url)
        form = response.context.get("form") if response.status_code == 200 and response.context else None
        if not isinstance(form, forms.BaseForm) or type(form) in seen:
            continue
        target = _html_form(response, form)
        if target is None:
            continue
        seen.add(type(form))
        pages.append((name, target[0] or url, form, target[1]))
    return pages


def _html_form(response: Any, form: forms.BaseForm) -> tuple[str, bool] | None:
    """The (action, is-GET) of the page's <form> that carries ``form``'s fields, or None if none does."""
    import lxml.html

    wanted = {bound.html_name for bound in form if not isinstance(bound.field, forms.FileField)}
    for element in lxml.html.fromstring(response.content.decode()).xpath("//form"):
        names = {str(name) for name in element.xpath(".//*[@name]/@name")}
        if wanted and wanted <= names:
            return str(element.get("action") or ""), (element.get("method") or "get").lower() == "get"
    return None


def test_every_form_of_the_portal_uses_the_shared_validation() -> None:
    missing = []
    for app in FORM_APPS:
        module = importlib.import_module(f"{app}.forms")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            path = f"{cls.__module__}.{name}"
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__ or path in NOT_PORTAL_FORMS:
                continue
            if not issubclass(cls, PortalFormMixin):
                missing.append(path)
    assert not missing, f"forms without core.forms.PortalFormMixin: {missing}"


def test_the_bad_input_corpus_is_refused_clearly_with_nothing_stored_half_way(
    full_world: World,  # noqa: F811 - the matrix's fixture
) -> None:
    """A member administrator's forms, then the staff forms a superuser sees besides (each form class once)."""
    world = full_world
    pages: list[tuple[Client, str, str, forms.BaseForm, bool]] = []
    seen: set[type] = set()
    for role in ("admin_a", "superuser"):
        client = Client()
        client.force_login(world[role], backend="accounts.backends.PortalBackend")
        pages += [(client, *page) for page in _form_pages(world, client, seen)]
    tried, problems, get_forms = Counter[str](), [], 0
    for client, name, url, form, by_get in pages:  # by_get: a filter form, its values in the query string
        base = initial_data(form)
        method = client.get if by_get else client.post
        get_forms += by_get
        before = database_fingerprint()
        may_accept: list[tuple[str, str, str]] = []
        for bound in form:
            refused, allowed = payloads(bound.field)
            may_accept += [(bound.html_name, label, value) for label, value in allowed.items()]
            for label, value in refused.items():
                tried["refused"] += 1
                response = method(url, {**base, bound.html_name: value})
                where = f"{name} {bound.name} {label}: {response.status_code}"
                if response.status_code >= 500:
                    problems.append(f"5xx {where}")
                elif not by_get:
                    errors = _errors(response)
                    if response.status_code in (301, 302) or errors is None or not errors.get(bound.name):
                        problems.append(f"accepted or no message on the field: {where}")
        after = database_fingerprint()
        changed = [t for t in before if before[t] != after.get(t) and t not in ACCESS_LOGS]
        if changed:
            problems.append(f"{name}: refused input changed {changed} (stored half-way)")
        for html_name, label, value in may_accept:
            tried["may-accept"] += 1
            response = method(url, {**base, html_name: value})
            if response.status_code >= 500:
                problems.append(f"5xx {name} {html_name} {label}")
    fields = sum(len(form.fields) for _c, _n, _u, form, _g in pages)
    print(
        f"T6: {len(pages)} form pages ({get_forms} by GET), {fields} fields, "
        f"{sum(tried.values())} requests ({dict(tried)}), problems {len(problems)}"
    )
    assert len(pages) >= 10, "too few form pages found: has the discovery broken?"
    summary = Counter(" ".join(problem.split(" ")[:-2]).rsplit(" ", 1)[0] for problem in problems)
    assert not problems, "\n".join(f"{n} x {what}" for what, n in summary.items()) + "\n" + "\n".join(problems[:20])


def _errors(response: Any) -> dict[str, Any] | None:
    form = response.context.get("form") if response.context else None
    return dict(form.errors) if isinstance(form, forms.BaseForm) else None
