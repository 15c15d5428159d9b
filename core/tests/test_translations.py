"""The Norwegian catalogue is complete and compiled: no English leaks into the Norwegian UI."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "nb" / "LC_MESSAGES" / "django.po"


def _entries(text: str) -> list[tuple[str, list[str], bool]]:
    entries, fuzzy = [], False
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        msgid = "".join(line.split('"', 1)[1].rsplit('"', 1)[0] for line in _section(lines, "msgid "))
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


def test_every_norwegian_message_is_translated_and_not_fuzzy() -> None:
    entries = _entries(PO.read_text(encoding="utf-8"))
    assert len(entries) > 150
    untranslated = [msgid for msgid, strs, _f in entries if not strs or not all(strs)]
    fuzzy = [msgid for msgid, _s, f in entries if f]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_the_compiled_catalogue_matches_the_source() -> None:
    mo = PO.with_suffix(".mo")
    assert mo.exists(), "run make messages"
    result = subprocess.run(["msgfmt", "--check", "-o", "-", str(PO)], capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == mo.read_bytes(), "locale/nb/LC_MESSAGES/django.mo is stale: run make messages"


@pytest.mark.django_db
def test_no_template_string_is_missing_from_the_catalogue(tmp_path: Path) -> None:
    """makemessages on a copy finds no msgid that the committed catalogue lacks."""
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
    committed = {m for m, _s, _f in _entries(PO.read_text(encoding="utf-8"))}
    assert not fresh - committed, f"strings not in the catalogue (run make messages): {sorted(fresh - committed)}"
