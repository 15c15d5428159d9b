"""The staff admin speaks Norwegian: in Bokmål and in Nynorsk, no page of it shows English text.

Every registered model's list, add and change page is rendered by a superuser in English and in each
Norwegian language, over the demo data (so that every change page has an object). A text the Norwegian
page shows that the English page shows too, is English unless it is data (a value stored in the
database) or a word written the same in both languages (NOT_ENGLISH). That catches a label nobody
marked for translation (a field without ``verbose_name``, a plain ``@admin.display(description=...)``)
as well as a marked one without a translation, in our catalogue or in Django's own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Texts the admin shows that are the same in Norwegian and English: not untranslated.
NOT_ENGLISH = {
    "Administrator",
    "Diginettverk",
    "Enhetsregisteret",
    "HelseCERT / KommuneCERT",
    "ID",
    "Markdown.",
    "Open",  # Nynorsk for "åpen"
    "Person",
    "Pilot",
    "Start",
    "Status",
    "Type",
    "Webinar",
    "md5",
    "salt",
}
# Parts of a page that show stored values, not the admin's own words.
DATA_CONTAINERS = {"textarea", "pre"}
TLP = re.compile(r"^TLP:[A-Z+]+$")


class _Texts(HTMLParser):
    """The visible text of a page (text nodes, button values, titles, labels for assistive technology),
    without scripts, styles and the containers that show stored values."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip: list[str] = []  # open tags whose text is not the admin's own

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in {"script", "style"} | DATA_CONTAINERS or "readonly" in (attributes.get("class") or "").split():
            self._skip.append(tag)
            return
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.append(tag)  # a nested tag of the same name: closed before the container
            return
        if tag == "input" and attributes.get("type") in {"submit", "button"} and attributes.get("value"):
            self.texts.append(attributes["value"] or "")
        for name in ("title", "aria-label", "placeholder"):
            if attributes.get(name):
                self.texts.append(" ".join((attributes[name] or "").split()))

    def handle_endtag(self, tag: str) -> None:
        if self._skip and tag == self._skip[-1]:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._skip:
            self.texts.append(text)


def _texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


def _stored_values() -> set[str]:
    """Every object's name and every text value in the database: data, shown the same in any language."""
    values: set[str] = set()
    for model in apps.get_models():
        for obj in model._default_manager.all():
            values.add(" ".join(str(obj).split()))
            for field in model._meta.concrete_fields:
                value = getattr(obj, field.attname, None)
                if isinstance(value, str):
                    values.add(" ".join(value.split()))
    return values


def _admin_urls(user: Any) -> list[str]:
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    urls = []
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):  # read-only models have no add page
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        obj = model_admin.get_queryset(request).first()
        if obj is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    return urls


def _is_data(text: str, stored: set[str]) -> bool:
    """A stored value, alone or inside one of the admin's own phrases (translated around it)."""
    core = text.removeprefix("› ").rstrip(":")
    return (
        core in stored
        or TLP.match(core) is not None
        or core[:1] in {"[", "{"}  # a JSON value
        or re.search(r"@|\d{4}-\d\d|^\d+ |\*{4}", core) is not None  # an address, a date, a count, a masked hash
    )


def english_in_admin(client: Any, languages: list[str]) -> dict[str, dict[str, str]]:
    """{language: {English text: first admin page showing it}} for each language."""
    from accounts.models import User

    superuser = User.objects.filter(is_superuser=True).first()
    assert superuser is not None
    client.force_login(superuser, backend="accounts.backends.PortalBackend")
    stored = _stored_values() | {superuser.get_short_name()}
    found: dict[str, dict[str, str]] = defaultdict(dict)
    pages = 0
    for url in _admin_urls(superuser):
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert english.status_code == 200, f"{url}: {english.status_code}"
        english_texts = set(_texts(english.content.decode()))
        pages += 1
        for language in languages:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.headers["Content-Language"] == language
            for text in _texts(response.content.decode()):
                if (
                    text in english_texts
                    and re.search(r"[A-Za-z]{2}", text)
                    and text.removeprefix("› ").rstrip(":") not in NOT_ENGLISH
                    and not _is_data(text, stored)
                ):
                    found[language].setdefault(text, url)
    assert pages > 60, f"only {pages} admin pages rendered"
    return found


@pytest.fixture
def demo(db: None) -> None:
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", without_history=True, verbosity=0)


def test_the_admin_shows_no_english_in_bokmal_or_nynorsk(demo: None, client: Any) -> None:
    found = english_in_admin(client, ["nb", "nn"])
    report = [f"{language}: {text!r} on {url}" for language in found for text, url in sorted(found[language].items())]
    assert not report, f"{len(report)} English text(s) in the Norwegian admin:\n" + "\n".join(report)
