"""The layout's menu, language selector and footer are cached per process (templates/base.html): the
cache must never show one user's menu to another, the wrong current page, or the wrong language."""

import lxml.html
from django.test import Client
from django.urls import reverse


def _menu(response):
    doc = lxml.html.fromstring(response.content.decode())
    links = doc.xpath('//nav[@class="site-nav"]//a')
    return [(a.text_content().strip(), a.get("aria-current")) for a in links]


def test_each_user_gets_their_own_menu_with_the_current_page_marked(world, login):
    staff = login(world["membership_manager"])
    help_page, status_page = reverse("core:help"), reverse("dashboards:status")

    staff_menu = _menu(staff.get(help_page, headers={"accept-language": "en"}))
    assert ("Status", None) in staff_menu and ("Help", "page") in staff_menu

    # The same page right after, as a member who may not see the status pages: no staff links.
    member = Client()
    member.force_login(world["member_a"], backend="accounts.backends.PortalBackend")
    member_menu = _menu(member.get(help_page, headers={"accept-language": "en"}))
    assert "Status" not in [label for label, _current in member_menu]
    assert ("Help", "page") in member_menu

    # Another page for the staff user: the current page moves.
    menu = _menu(staff.get(status_page, headers={"accept-language": "en"}))
    assert ("Status", "page") in menu and ("Help", None) in menu

    # And someone not logged in gets the public menu.
    anonymous = _menu(Client().get(help_page, headers={"accept-language": "en"}))
    assert [label for label, _current in anonymous] == ["Check an agreement", "Help"]


def test_the_cached_layout_follows_the_language(world, login):
    client = login(world["membership_manager"])
    help_page = reverse("core:help")
    english = client.get(help_page, headers={"accept-language": "en"}).content.decode()
    norwegian = client.get(help_page, headers={"accept-language": "nb"}).content.decode()
    assert ">Front page<" in english and ">Need help?<" in english
    assert ">Forside<" in norwegian and ">Trenger du hjelp?<" in norwegian
