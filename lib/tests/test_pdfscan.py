"""The PDF parser finds active content, also inside compressed object streams (T16)."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from incidents.storage import check
from lib.pdfscan import active_content


def _pdf(add: str | None) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if add == "javascript":
        pdf.Root.OpenAction = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        )
    elif add == "launch":
        pdf.Root.OpenAction = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
        )
    elif add == "embedded-file":
        pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(
            pdf, b"MZ\x90\x00", mime_type="application/octet-stream"
        )
    elif add == "xfa":
        pdf.Root.AcroForm = pdf.make_indirect(pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=pikepdf.Array()))
    out = io.BytesIO()
    # Objects in compressed object streams: a byte search for "/JS" cannot see them.
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["javascript", "launch", "embedded-file", "xfa"])
def test_active_content_in_object_streams_is_found_and_refused(kind: str) -> None:
    data = _pdf(kind)
    if kind in ("javascript", "launch", "xfa"):
        assert f"/{'JS' if kind == 'javascript' else kind.title()}".encode() not in data  # hidden from a byte search
    assert kind in active_content(data)
    with translation.override("en"), pytest.raises(ValidationError, match="contains scripts or embedded files"):
        check("report.pdf", data)


def test_a_plain_pdf_passes_and_garbage_is_reported_unreadable() -> None:
    assert active_content(_pdf(None)) == set()
    assert check("report.pdf", _pdf(None)).content_type == "application/pdf"
    assert active_content(b"%PDF-1.7\nnot really") == {"unreadable"}
