"""Attachments of incident reports: checked for size and type (by content, not just the name),
stored under a generated name in a private directory outside the web root."""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lib.pdfscan import active_content

MAX_FILES = 5


def max_bytes() -> int:
    return settings.INCIDENT_ATTACHMENT_MAX_BYTES


def attachment_dir() -> Path:
    return Path(settings.INCIDENT_ATTACHMENT_DIR)


# Extension → (content type, check of the first bytes or the whole text).
TEXT_TYPES = {".txt": "text/plain", ".log": "text/plain", ".csv": "text/csv"}
BINARY_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
ALLOWED_EXTENSIONS = sorted([*TEXT_TYPES, *BINARY_TYPES])


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    content_type: str
    sha256: str


def clean_name(name: str) -> str:
    """A display name without directories, control or direction characters, at most 100 characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # Cc, Cf (RLO, ZWSP), Co, Cn
    name = name.strip(" .") or "vedlegg"
    stem, dot, ext = name.rpartition(".")
    if dot and len(name) > 100:
        name = stem[: 100 - len(ext) - 1] + "." + ext
    return name[:100]


_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _pdf_has_active_content(content: bytes) -> bool:
    """Names of scripts and embedded files, also when written with PDF's #hh escapes (/J#53 is /JS)."""
    names = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), content)
    return any(marker in names for marker in (b"/JavaScript", b"/JS", b"/EmbeddedFile"))


def check(name: str, content: bytes) -> CheckedFile:
    """Refuse a file over the limit or whose content is not what its extension says."""
    limit = max_bytes()
    display = clean_name(name)
    if len(content) > limit:
        raise ValidationError(_("%(name)s is larger than %(mb)s MB.") % {"name": display, "mb": limit // (1024 * 1024)})
    if not content:
        raise ValidationError(_("%(name)s is empty.") % {"name": display})
    extension = Path(display.lower()).suffix
    if extension in TEXT_TYPES:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(_("%(name)s is not UTF-8 text.") % {"name": display}) from None
        if "\x00" in text or text.lstrip().lower().startswith(("<!doctype", "<html", "<svg", "<?xml")):
            raise ValidationError(_("%(name)s is not plain text.") % {"name": display})
        content_type = TEXT_TYPES[extension]
    elif extension in BINARY_TYPES:
        content_type, magics = BINARY_TYPES[extension]
        if not content.startswith(magics):
            raise ValidationError(_("%(name)s is not a real %(ext)s file.") % {"name": display, "ext": extension})
        # The byte search, then a real parser that also reads compressed object streams (a PDF the parser
        # cannot read at all is judged by the byte search alone).
        if extension == ".pdf" and (_pdf_has_active_content(content) or active_content(content) - {"unreadable"}):
            raise ValidationError(_("%(name)s contains scripts or embedded files.") % {"name": display})
    else:
        raise ValidationError(
            _("%(name)s: only these file types are accepted: %(types)s.")
            % {"name": display, "types": ", ".join(ALLOWED_EXTENSIONS)}
        )
    return CheckedFile(display, content, content_type, hashlib.sha256(content).hexdigest())


def store(content: bytes) -> str:
    """Write the file under a new random name; returns that name."""
    directory = attachment_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored = uuid.uuid4().hex
    path = directory / stored
    with open(path, "xb") as handle:
        handle.write(content)
    path.chmod(0o600)
    return stored


def path_of(stored_name: str) -> Path:
    if not stored_name.isalnum():
        raise ValueError("bad stored name")
    return attachment_dir() / stored_name


def remove(stored_name: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        path_of(stored_name).unlink()
