"""Browser test harness: Debian's Chromium driven by Playwright (sync API) against pytest-django's live server.

One browser per session, a fresh context (cookies, storage) per test. The reference data and demo
personas are loaded once; later tests restore them from an in-memory SQLite snapshot, which takes
milliseconds instead of the ~2 s the management commands need. On another database the commands
simply run before every test.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from django.core.management import call_command
from django.db import connection, transaction
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "Helsenett-demo-2025"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 15_000


# --------------------------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


AXE_ROUTE = "/__browser-tests__/axe.min.js"


def new_context(browser: Browser, **kwargs: Any) -> BrowserContext:
    """A context as a Norwegian user's browser would be (the site picks the language from Accept-Language).

    The site's CSP stays in force: axe-core is served under the page's own origin by a route that only
    this test browser has, so `script-src 'self'` admits it. Every CSP violation a page logs is
    collected in ``context.csp_violations`` and fails the test at teardown.
    """
    options: dict[str, Any] = {"locale": "nb-NO", "viewport": {"width": 1280, "height": 900}}
    options.update(kwargs)
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    context.route(f"**{AXE_ROUTE}", lambda route: route.fulfill(path=str(AXE_PATH), content_type="text/javascript"))
    violations: list[str] = []
    context.csp_violations = violations  # type: ignore[attr-defined]  # collected on the context for the test
    context.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return context


def close_context(context: BrowserContext) -> None:
    violations = context.csp_violations  # type: ignore[attr-defined]  # collected on the context for the test
    context.close()
    assert not violations, "the page broke its own Content-Security-Policy:\n" + "\n".join(violations)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = new_context(browser)
    yield context
    close_context(context)


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def narrow_page(browser: Browser) -> Iterator[Page]:
    """A phone-sized viewport: 320 CSS px wide (WCAG 1.4.10 Reflow)."""
    context = new_context(browser, viewport={"width": 320, "height": 640})
    yield context.new_page()
    close_context(context)


# ------------------------------------------------------------------------------------------------ data


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> Iterator[None]:
    """On SQLite the browser suite's test database is a file (on tmpfs when there is one), not Django's
    in-memory default.

    For an in-memory database the live server is handed the test's own connection, and every request
    thread of the (threaded) server uses it too; Django's documentation warns that simultaneous queries
    over it "may sometimes randomly cause the tests to fail". They did: a request still in flight (a
    session write) while the test wrote through the ORM gave "database table is locked: django_session".
    With a file every thread has its own connection and SQLite's ordinary locking (the settings' busy
    timeout and BEGIN IMMEDIATE) orders the writers, as in a real deployment.

    This takes effect when the browser tests run in their own pytest session, as the Makefile runs them."""
    import shutil
    import tempfile

    from django.conf import settings

    shm = Path("/dev/shm")  # noqa: S108 - a private directory is made in it (mkdtemp)
    directory = Path(tempfile.mkdtemp(prefix="browser-tests-", dir=shm if shm.is_dir() else None))
    for alias, database in settings.DATABASES.items():
        if database["ENGINE"] == "django.db.backends.sqlite3":
            database.setdefault("TEST", {})["NAME"] = str(directory / f"{alias}.sqlite3")
    yield
    shutil.rmtree(directory, ignore_errors=True)


_snapshot: sqlite3.Connection | None = None


@pytest.fixture
def demo_data(transactional_db: None, live_server: Any) -> None:
    """Reference data (counties, municipalities, organisations) and the demo personas, for every test.

    seed_demo runs without the replayed signing round (``without_history``): the terms 2025 are
    published and every organisation is invited, but no one has signed, and the draft 2026 exists.
    Replaying ~370 sealed signatures would cost about 45 s, on every test on PostgreSQL.

    transactional_db empties every table after each test, so the data has to come back before the
    next one. The first test runs the two management commands and copies the SQLite database into an
    in-memory snapshot; the others copy the snapshot back with SQLite's online backup API.
    """
    global _snapshot
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        _postgresql_demo_data()
        return
    if connection.vendor != "sqlite":
        call_command("load_reference_data", verbosity=0)
        call_command("seed_demo", without_history=True, verbosity=0)
        return
    if _snapshot is None:
        call_command("load_reference_data", verbosity=0)
        call_command("seed_demo", without_history=True, verbosity=0)
        snapshot = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(snapshot)
        _snapshot = snapshot
    else:
        _snapshot.backup(connection.connection)


_POSTGRESQL_SNAPSHOT = "browser_test_snapshot"
_postgresql_snapshot_tables: list[str] | None = None


def _postgresql_demo_data() -> None:
    """The same idea on PostgreSQL: the first test seeds and copies every non-empty table into a schema of
    its own in the test database; later tests empty the tables and copy the rows back (a second or two
    instead of ~15 s). Foreign keys are deferred, so the copy order does not matter; the sequences are
    set past the copied ids afterwards."""
    global _postgresql_snapshot_tables
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style

    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if _postgresql_snapshot_tables is None:
            call_command("load_reference_data", verbosity=0)
            call_command("seed_demo", without_history=True, verbosity=0)
            cursor.execute(f"DROP SCHEMA IF EXISTS {_POSTGRESQL_SNAPSHOT} CASCADE")
            cursor.execute(f"CREATE SCHEMA {_POSTGRESQL_SNAPSHOT}")
            copied = []
            for table in tables:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")  # noqa: S608 - Django table names
                if cursor.fetchone()[0]:
                    cursor.execute(f"CREATE TABLE {_POSTGRESQL_SNAPSHOT}.{quote(table)} AS TABLE {quote(table)}")
                    copied.append(table)
            _postgresql_snapshot_tables = copied
            return
        with transaction.atomic():
            cursor.execute("TRUNCATE " + ", ".join(quote(t) for t in tables))  # what post_migrate put back
            for table in _postgresql_snapshot_tables:
                cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {_POSTGRESQL_SNAPSHOT}.{quote(table)}")  # noqa: S608
            copied = set(_postgresql_snapshot_tables)
            models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in copied]
            cursor.execute(";".join(connection.ops.sequence_reset_sql(no_style(), models)))
    ContentType.objects.clear_cache()


# --------------------------------------------------------------------------------------------- helpers


def login(page: Page, live_server: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the real login form and wait for the front page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    if page.url.startswith(f"{live_server.url}/accounts/second-factor/verify/"):
        pass_demo_second_factor(page, email)
    assert page.url == f"{live_server.url}/", f"login as {email} did not reach the front page: {page.url}"


def pass_demo_second_factor(page: Page, email: str) -> None:
    """A staff persona's second factor: the code of the demo authenticator app seed_demo gives them.

    django-otp accepts each code once; the device's memory of the last code is cleared first, so a test
    may log the same persona in twice within 30 seconds."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.demo_data import DEMO_DEVICE_NAME, demo_totp_code

    TOTPDevice.objects.filter(user__email=email, name=DEMO_DEVICE_NAME).update(last_t=-1, throttling_failure_count=0)
    page.fill("#id_token", demo_totp_code())
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def assert_no_axe_violations(page: Page, tags: list[str] | None = None) -> dict[str, Any]:
    """Run axe-core on the current page; fail with one line per WCAG 2.1 A/AA violation."""
    origin = page.evaluate("location.origin")
    page.add_script_tag(url=f"{origin}{AXE_ROUTE}")
    assert page.evaluate("typeof axe") == "object", "axe-core was not injected (blocked by the CSP?)"
    results = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return {
                violations: r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary})),
                })),
                passes: r.passes.map(p => p.id),
                incomplete: r.incomplete.map(i => i.id),
                version: axe.version,
            };
        }""",
        tags or WCAG_TAGS,
    )
    assert results["passes"], "axe-core reported no passing rules at all: it did not really run"
    if os.environ.get("AXE_VERBOSE"):  # AXE_VERBOSE=1 pytest tests/browser -s: what axe could not decide
        print(
            f"\naxe {results['version']} on {page.url}: {len(results['passes'])} rules pass, "
            f"needs review: {', '.join(results['incomplete']) or 'nothing'}"
        )
    violations = results["violations"]
    if violations:
        lines = [f"{len(violations)} axe-core {results['version']} violation(s) on {page.url}:"]
        for v in violations:
            lines.append(f"- {v['id']} [{v['impact']}]: {v['help']} ({v['helpUrl']})")
            for node in v["nodes"][:5]:
                lines.append(f"    at {', '.join(map(str, node['target']))}")
                summary = (node["summary"] or "").strip().replace("\n", " / ")
                if summary:
                    lines.append(f"       {summary[:300]}")
            if len(v["nodes"]) > 5:
                lines.append(f"    … and {len(v['nodes']) - 5} more")
        pytest.fail("\n".join(lines), pytrace=False)
    return results


def assert_no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("window.innerWidth")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width + 1, f"page scrolls sideways at {width}px: scrollWidth is {scroll_width}px"


# ------------------------------------------------------------- the Nu HTML validator and 320 px (issue 20)

VNU_JAR = REPO_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
NARROW = {"width": 320, "height": 640}
# What the checks of every visited page found over the session (in the terminal summary).
PAGE_CHECKS: dict[str, Any] = {"validated": [], "errors": 0, "narrow": [], "overflowing": []}


class HtmlValidator:
    """The Nu HTML Checker (npm ``vnu-jar``) run once per session as a local HTTP service by the machine's
    Java; each page's HTML is posted to it, which takes milliseconds instead of a JVM start per page."""

    def __init__(self) -> None:
        import shutil
        import socket
        import subprocess
        import time
        import urllib.request

        java = shutil.which("java")
        if java is None or not VNU_JAR.exists():
            pytest.skip(f"the HTML validator needs java and {VNU_JAR} (npm vnu-jar)")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [
                java,
                "-Xss4m",  # its schema compiler recurses deeply
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(VNU_JAR),
                "nu.validator.servlet.Main",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 240  # reading its schemas takes 5-25 s on a busy machine
        while True:  # wait for the service to answer
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.close()
                    pytest.fail("the Nu HTML validator did not start", pytrace=False)
                time.sleep(0.2)

    def messages(self, html: str) -> list[dict[str, Any]]:
        import json
        import urllib.request

        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/?out=json",
            data=html.encode(),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - local
            return json.load(response)["messages"]  # type: ignore[no-any-return]

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def html_validator() -> Iterator[HtmlValidator]:
    validator = HtmlValidator()
    yield validator
    validator.close()


def assert_valid_html(page: Page, validator: HtmlValidator) -> None:
    """Validate the HTML the server sent for the page now shown (fetched again with the page's cookies;
    call it on pages a GET shows). Fails with one line per error."""
    response = page.request.get(page.url)
    assert response.ok, f"{page.url} answered {response.status} when fetched for the validator"
    errors = [m for m in validator.messages(response.text()) if m.get("type") == "error"]
    if errors:
        lines = [f"{len(errors)} HTML error(s) on {page.url}:"]
        for m in errors[:20]:
            lines.append(f"- line {m.get('lastLine')}: {m.get('message')} [{(m.get('extract') or '').strip()[:120]}]")
        pytest.fail("\n".join(lines), pytrace=False)


def assert_fits_320px(page: Page) -> None:
    """The page shown, at 320 CSS px wide, does not scroll sideways (WCAG 1.4.10); the viewport is put back."""
    before = page.viewport_size
    page.set_viewport_size(NARROW)
    try:
        width = page.evaluate("window.innerWidth")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width + 1:
            wide = page.evaluate(
                """(width) => [...document.querySelectorAll("body *")]
                    .filter(el => el.getBoundingClientRect().right > width + 1 && !el.closest(".table-wrap"))
                    .slice(-5).map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                        + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "")
                        + " (" + Math.round(el.getBoundingClientRect().right) + "px)")""",
                width,
            )
            pytest.fail(
                f"{page.url} scrolls sideways at {width}px: scrollWidth is {scroll_width}px; too wide: {wide}",
                pytrace=False,
            )
    finally:
        if before is not None:
            page.set_viewport_size(before)


def check_page(page: Page, validator: HtmlValidator) -> None:
    """After each navigation: valid HTML (Nu validator, 0 errors) and no sideways scroll at 320 px."""
    assert_valid_html(page, validator)
    assert_fits_320px(page)


# ------------------------------------------------- every page a browser test lands on is checked (issue 20)
#
# The live server runs in this process: every HTML document it sends while a browser test runs is kept
# (the HTML as sent, its headers), and at the test's end each one is validated by the Nu checker and each
# distinct path is laid out again at 320 px. The layout check loads the kept document into a 320-px page
# of its own (the document is answered from memory, its stylesheets and scripts from the live server;
# the page's own fetches are refused, it has no session), so it costs one page load per distinct path
# and needs nothing of the test's session.

_capture: dict[str, Any] = {"on": False, "documents": []}
_validated_bodies: set[str] = set()
_narrow_paths: set[str] = set()

# Validator errors left out: (path prefix, part of the message, why it is not ours). Only markup that
# is not the portal's own belongs here; everything else is fixed in the templates.
NOT_OURS: list[tuple[str, str, str]] = [
    (
        "/admin/",
        "must not have any “aria-*” attributes",
        "Django 5.2's admin gives the hidden 'initial-' input of a field with help text the field's "
        "aria-describedby (django.forms.BoundField.build_widget_attrs)",
    ),
    (
        "/admin/",
        "Attribute “disabled” not allowed on element “div”",
        "Django's ReadOnlyPasswordHashWidget (the user's password summary) renders <div disabled>",
    ),
]
PAGE_CHECKS["not_ours"] = 0
PAGE_CHECKS["seconds"] = 0.0  # spent on these checks at the tests' ends


def _ours(path: str, message: str) -> bool:
    for prefix, part, _reason in NOT_OURS:
        if path.startswith(prefix) and part in message:
            PAGE_CHECKS["not_ours"] += 1
            return False
    return True


def _capture_responses() -> None:
    """Wrap Django's request handler once: while a test runs, keep each full HTML document it answers."""
    from django.core.handlers.base import BaseHandler

    if getattr(BaseHandler.get_response, "_keeps_documents", False):
        return
    original = BaseHandler.get_response

    def get_response(self: BaseHandler, request: Any) -> Any:
        response = original(self, request)
        if (
            _capture["on"]
            and not response.streaming
            and response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html")
            and request.META.get("SERVER_NAME") != "testserver"  # not the Django test client
        ):
            body = response.content.decode(response.charset or "utf-8", "replace")
            if body.lstrip()[:15].lower() == "<!doctype html>":
                url = request.build_absolute_uri()
                _capture["documents"].append((request.method, url, request.path, body, dict(response.items())))
        return response

    get_response._keeps_documents = True  # type: ignore[attr-defined]
    BaseHandler.get_response = get_response  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def narrow_checker(browser: Browser) -> Iterator[Page]:
    """The one 320-px page that lays out again each document the tests were shown."""
    context = browser.new_context(locale="nb-NO", viewport=NARROW)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def _normalised(body: str) -> str:
    """The document without what differs on every response (CSRF tokens, CSP nonces)."""
    import re

    return re.sub(r'(nonce|value|content)="[A-Za-z0-9+/=_-]{24,}"', "", body)


def _fits_320px(page: Page, url: str, body: str, headers: dict[str, str]) -> str | None:
    """Lay the document out at 320 px; a sentence saying what is too wide, or None."""

    def answer(route: Any) -> None:
        if route.request.url == url:
            route.fulfill(status=200, body=body, headers=headers)
        elif route.request.resource_type in {"xhr", "fetch", "eventsource", "websocket"}:
            route.abort()
        else:
            route.continue_()

    page.route("**/*", answer)
    try:
        page.goto(url, wait_until="load")
        width = page.evaluate("window.innerWidth")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width <= width + 1:
            return None
        wide = page.evaluate(
            """(width) => [...document.querySelectorAll("body *")]
                .filter(el => !el.closest(".table-wrap") && (el.getBoundingClientRect().right > width + 1
                    || el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible"))
                .slice(-5).map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                    + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "")
                    + " (" + Math.round(el.getBoundingClientRect().right) + "px, content " + el.scrollWidth + "px)")""",
            width,
        )
        return f"{url} scrolls sideways at {width}px: scrollWidth is {scroll_width}px; too wide: {wide}"
    finally:
        page.unroute("**/*", answer)


@pytest.fixture(autouse=True)
def _every_page_checked(
    request: pytest.FixtureRequest, html_validator: HtmlValidator, narrow_checker: Page
) -> Iterator[None]:
    """Each page a browser test lands on: 0 Nu validator errors, and no sideways scroll at 320 px."""
    _capture_responses()
    _capture["documents"] = []
    _capture["on"] = True
    yield
    import time

    started = time.monotonic()
    _capture["on"] = False
    documents, _capture["documents"] = _capture["documents"], []
    problems: list[str] = []
    for method, url, path, body, headers in documents:
        key = _normalised(body)
        if key not in _validated_bodies:
            _validated_bodies.add(key)
            errors = [
                m
                for m in html_validator.messages(body)
                if m.get("type") == "error" and _ours(path, m.get("message") or "")
            ]
            PAGE_CHECKS["validated"].append(f"{method} {path}")
            PAGE_CHECKS["errors"] += len(errors)
            for m in errors[:10]:
                extract = (m.get("extract") or "").strip()[:120]
                problems.append(f"{method} {url} line {m.get('lastLine')}: {m.get('message')} [{extract}]")
        if method == "GET" and path not in _narrow_paths:
            _narrow_paths.add(path)
            PAGE_CHECKS["narrow"].append(path)
            overflow = _fits_320px(narrow_checker, url, body, headers)
            if overflow:
                PAGE_CHECKS["overflowing"].append(path)
                problems.append(overflow)
    PAGE_CHECKS["seconds"] += time.monotonic() - started
    if problems:
        pytest.fail("pages this test visited:\n" + "\n".join(problems), pytrace=False)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if PAGE_CHECKS["validated"] or PAGE_CHECKS["narrow"]:
        validated = PAGE_CHECKS["validated"]
        terminalreporter.write_line(
            f"HTML validator: {len(validated)} documents ({len(set(validated))} distinct pages), "
            f"{PAGE_CHECKS['errors']} errors ({PAGE_CHECKS['not_ours']} in Django's own markup left out); "
            f"320 px: {len(set(PAGE_CHECKS['narrow']))} distinct paths, "
            f"{len(set(PAGE_CHECKS['overflowing']))} scroll sideways; "
            f"{PAGE_CHECKS['seconds']:.1f} s spent on these checks"
        )
