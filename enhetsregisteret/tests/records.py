"""Records in the register's real format, for the tests (shapes as in ../shared/enhetsregisteret.md)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any


def unit_record(
    number: str, *, name: str = "NORD LEGESENTER AS", form: str = "AS", code: str = "86.211", **extra: Any
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "organisasjonsnummer": number,
        "navn": name,
        "organisasjonsform": {"kode": form, "beskrivelse": "Aksjeselskap"},
        "naeringskode1": {"beskrivelse": "Allmenn legetjeneste", "kode": code},
        "forretningsadresse": {
            "land": "Norge",
            "landkode": "NO",
            "postnummer": "2380",
            "poststed": "BRUMUNDDAL",
            "adresse": ["Torget 1", None, ""],
            "kommune": "RINGSAKER",
            "kommunenummer": "3411",
        },
        "institusjonellSektorkode": {"kode": "2100", "beskrivelse": "Private aksjeselskaper mv."},
        "registreringsdatoEnhetsregisteret": "2019-05-02",
        "konkurs": False,
        "underAvvikling": False,
        "underTvangsavviklingEllerTvangsopplosning": False,
        "konkursdato": "",
        "epostadresse": "post@nordlege.example.no",
        "telefon": "62 33 44 55",
        "paategninger": [],
        "erIKonsern": False,
        "respons_klasse": "Enhet",
        "nyttFeltFraBrreg": {"noe": [1, 2.5, None]},
        "_links": {"self": {"href": f"https://data.brreg.no/enhetsregisteret/api/enheter/{number}"}},
    }
    record.update(extra)
    return record


def deleted_record(number: str, date: str = "2026-11-20") -> dict[str, Any]:
    return {
        "organisasjonsnummer": number,
        "slettedato": date,
        "respons_klasse": "SlettetEnhet",
        "_links": {"self": {"href": f"https://data.brreg.no/enhetsregisteret/api/enheter/{number}"}},
    }


def write_file(path: Path, records: list[dict[str, Any]]) -> Path:
    text = json.dumps(records, ensure_ascii=False)
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
