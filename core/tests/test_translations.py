"""The Norwegian catalogues (Bokmål and Nynorsk) are complete and compiled: no English leaks into the
Norwegian UI, and no English word with two meanings shares one translation."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["nb", "nn"]


def _po(language: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / "django.po"


def _entries(text: str) -> list[tuple[str, list[str], bool]]:
    entries, fuzzy = [], False
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        msgid = "".join(line.split('"', 1)[1].rsplit('"', 1)[0] for line in _section(lines, "msgid "))
        context = "".join(line.split('"', 1)[1].rsplit('"', 1)[0] for line in _section(lines, "msgctxt "))
        if msgid and context:
            msgid = f"{context}\x04{msgid}"  # the same key gettext uses: one entry per meaning
        strs = [
            "".join(line.split('"', 1)[1].rsplit('"', 1)[0] for line in _section(lines, prefix))
            for prefix in ("msgstr ", "msgstr[0] ", "msgstr[1] ")
            if _section(lines, prefix)
        ]
        if msgid:
            entries.append((msgid, strs, fuzzy))
    return entries


def _section(lines: list[str], prefix: str) -> list[str]:
    out, inside = [], False
    for line in lines:
        if line.startswith(prefix):
            inside = True
            out.append(line[len(prefix) :])
        elif inside and line.startswith('"'):
            out.append(line)
        else:
            inside = False if out else inside
    return out


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_norwegian_message_is_translated_and_not_fuzzy(language: str) -> None:
    entries = _entries(_po(language).read_text(encoding="utf-8"))
    assert len(entries) > 150
    untranslated = [msgid for msgid, strs, _f in entries if not strs or not all(strs)]
    fuzzy = [msgid for msgid, _s, f in entries if f]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_the_source(language: str) -> None:
    po = _po(language)
    mo = po.with_suffix(".mo")
    assert mo.exists(), "run make messages"
    result = subprocess.run(["msgfmt", "--check", "-o", "-", str(po)], capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == mo.read_bytes(), f"locale/{language}/LC_MESSAGES/django.mo is stale: run make messages"


@pytest.mark.django_db
def test_no_template_string_is_missing_from_the_catalogue(tmp_path: Path) -> None:
    """makemessages on a copy finds no msgid that either committed catalogue lacks (one run, both checked)."""
    import shutil

    from django.core.management import call_command

    skip = {".venv", "node_modules", "var", "tests", ".git", "static", "docs", "bench", "scripts", "reports"}
    for folder in ROOT.iterdir():
        if folder.is_dir() and folder.name not in skip and not folder.name.startswith("."):
            shutil.copytree(folder, tmp_path / folder.name, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        call_command("makemessages", locale=["nb"], no_obsolete=True, verbosity=0)
    finally:
        os.chdir(cwd)
    fresh = {m for m, _s, _f in _entries((tmp_path / "locale/nb/LC_MESSAGES/django.po").read_text(encoding="utf-8"))}
    for language in LANGUAGES:
        committed = {m for m, _s, _f in _entries(_po(language).read_text(encoding="utf-8"))}
        missing = sorted(fresh - committed)
        assert not missing, f"strings not in the {language} catalogue (run make messages): {missing}"


# English words with two meanings in the portal: each must carry a msgctxt (pgettext / translate "..." context),
# so that Norwegian can say "Meld meg på" on a button and "Registeropplysninger" on a section heading.
AMBIGUOUS = ["Register", "Change", "Record", "Close", "Block", "Report", "Return", "Match", "Post", "Level", "Sign up"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_english_word_with_two_meanings_is_never_translated_without_context(language: str) -> None:
    keys = {m for m, _s, _f in _entries(_po(language).read_text(encoding="utf-8"))}
    bare = sorted(word for word in AMBIGUOUS if word in keys)
    assert not bare, f"give these a context (pgettext or {{% translate ... context ... %}}): {bare}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_word_used_in_many_places_is_contextualised_or_known_to_mean_one_thing(language: str) -> None:
    """A bare one-word msgid that many files share is where two meanings hide: it is either given a
    context or listed here as meaning one thing everywhere."""
    one_meaning = {
        "Status",
        "Expires",  # a column: the date something stops being valid (tokens, invitations, delegations)
        "Contacts",  # contact persons: a column of the not-signed list and its exports, a kind of data opened
        "Name",
        "Organisation",
        "Service",
        "Date",
        "Type",
        "All",
        "None",
        "Save",
        "Answer",
        "Answers",
        "Send",
        "Cancel",
        "Search",
        "Filter",
        "Edit",
        "Delete",
        "Phone",
        "E-mail",
        "Comment",
        "Title",
        "Text",
        "Published",
        "Draft",
        "Active",
        "Planned",
        "Ordered",
        "Municipality",
        "County",
        "Reference",
        "Version",
        "Description",
        "Summary",
        "Severity",
        "Period",
        "Question",
        "Questions",
        "Remove",
        "Start",
        "End",
        "Cause",
        "Signed",
        "Unknown",
        "Total",
        "Nobody",
        "Yes",
        "No",
        "Assigned",
        "Connection",
        "Connections",
        "Events",
        "Event",
        "Site",
        "Vendor",
        "Owner",
        "Notes",
        "Category",
        "Sign",
        "Order",
        "Subject",
        "State",
        "Open",
        "Share",
        "Time",
        "Person",
        "Role",
        "Terms",
        "Steps",
        "Step",
        "From",
        "To",
        "Agreements",
        "Incidents",
        "Advisory",
        "Advisories",
        "Messages",
        "Message",
        "Attachments",
        "Import",
        "Reason",
        "Source",
        "History",
        "Diginettverk",
        "Markdown.",
        "Bandwidth",
        "Redundancy",
        "Submitted",
        "Sent",
        "Kind",
        "Orders",
        "Services",
        "Surveys",
        "Audience",
        "Optional",
        "What",
        "Show",
        "Actions",
        "Membership",
        "User",  # a field: the person (account) a registration, support or answer belongs to
        "Actor",  # a field: the person who made a change or took a step (audit, history)
    }
    one_meaning = {word.lower() for word in one_meaning}
    text = _po(language).read_text(encoding="utf-8")
    shared = []
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        msgid = "".join(line.split('"', 1)[1].rsplit('"', 1)[0] for line in _section(lines, "msgid "))
        if not msgid or " " in msgid or any(line.startswith("msgctxt") for line in lines):
            continue
        files = {ref.split(":")[0] for line in lines if line.startswith("#:") for ref in line[2:].split()}
        if len(files) > 3 and msgid.lower() not in one_meaning:
            shared.append(f"{msgid} ({len(files)} files)")
    assert not shared, f"context them or add to one_meaning after checking every use: {shared}"
