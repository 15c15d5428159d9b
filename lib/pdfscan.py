"""Active content in a PDF, found by a real parser (pikepdf/qpdf) that decodes compressed object streams.

A byte search for ``/JavaScript`` misses everything inside a compressed object stream (PDF 1.5+), where
every dictionary of a modern PDF may live. This walks every object qpdf resolves and reports JavaScript,
Launch and other risky actions, embedded files, rich media and XFA forms.
"""

from __future__ import annotations

import io

import pikepdf

_RISKY_ACTIONS = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/ImportData": "import-data",
    "/RichMediaExecute": "rich-media",
}
_RISKY_KEYS = {
    "/JS": "javascript",
    "/EmbeddedFile": "embedded-file",
    "/EmbeddedFiles": "embedded-file",
    "/XFA": "xfa",
    "/RichMedia": "rich-media",
}


def active_content(data: bytes) -> set[str]:
    """What a PDF carries that may act when opened: {"javascript", "launch", "embedded-file", "xfa", …}.

    ``{"unreadable"}`` when qpdf cannot parse it at all (refuse it too)."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except (pikepdf.PdfError, ValueError):
        return {"unreadable"}
    found: set[str] = set()
    with pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                obj = obj.stream_dict
            if not isinstance(obj, pikepdf.Dictionary):
                continue
            keys = set(obj.keys())
            found.update(label for key, label in _RISKY_KEYS.items() if key in keys)
            if obj.get("/Type") in ("/EmbeddedFile", "/Filespec") and "/EF" in keys:
                found.add("embedded-file")
            action = obj.get("/S")
            if isinstance(action, pikepdf.Name) and str(action) in _RISKY_ACTIONS:
                found.add(_RISKY_ACTIONS[str(action)])
    return found
