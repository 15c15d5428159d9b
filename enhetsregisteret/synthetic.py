"""A synthetic Enhetsregisteret bulk file in the real format, for tests, the demo and the benchmark.

The municipalities and county authorities are the real ones (numbers and names from the reference
data); everything else is invented: valid MOD11 numbers, a realistic mix of organisation forms and
SN2007 industry codes (health care 86.x among them), missing and ``null`` fields, empty address
lines, foreign addresses, unknown newer fields, units in bankruptcy or liquidation, and deleted units
with the reduced body the register gives them. The same seed always gives the same file.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from organisations.reference import DATA_DIR
from organisations.validators import with_check_digit

FORMS = [  # (code, description, weight)
    ("ENK", "Enkeltpersonforetak", 34),
    ("AS", "Aksjeselskap", 30),
    ("FLI", "Forening/lag/innretning", 8),
    ("BRL", "Borettslag", 5),
    ("NUF", "Norskregistrert utenlandsk foretak", 3),
    ("ANS", "Ansvarlig selskap", 2),
    ("DA", "Selskap med delt ansvar", 2),
    ("STI", "Stiftelse", 2),
    ("SA", "Samvirkeforetak", 1),
    ("ESEK", "Eierseksjonssameie", 3),
    ("ORGL", "Organisasjonsledd", 1),
    ("STAT", "Staten", 0.05),
    ("IKS", "Interkommunalt selskap", 0.1),
    ("KF", "Kommunalt foretak", 0.2),
    ("HF", "Helseforetak", 0.01),
    ("ASA", "Allmennaksjeselskap", 0.1),
]
CODES = [  # (code, description, weight)
    ("86.211", "Allmenn legetjeneste", 1.5),
    ("86.221", "Spesialisert legetjeneste, unntatt psykiatrisk legetjeneste", 0.5),
    ("86.230", "Tannhelsetjenester", 0.8),
    ("86.901", "Hjemmesykepleie", 0.3),
    ("86.902", "Fysioterapitjeneste", 0.8),
    ("86.906", "Annen helsetjeneste", 0.5),
    ("86.101", "Alminnelige somatiske sykehus", 0.05),
    ("87.101", "Somatiske sykehjem", 0.3),
    ("88.101", "Sosiale omsorgstjenester uten botilbud for eldre", 0.4),
    ("47.730", "Butikkhandel med apotekvarer", 0.3),
    ("62.010", "Programmeringstjenester", 5),
    ("68.209", "Utleie av egen eller leid fast eiendom ellers", 12),
    ("41.200", "Oppføring av bygninger", 6),
    ("70.220", "Bedriftsrådgivning og annen administrativ rådgivning", 6),
    ("94.991", "Aktiviteter i andre interesseorganisasjoner", 6),
    ("01.410", "Melkeproduksjon på storfe", 3),
    ("56.101", "Drift av restauranter og kafeer", 3),
    ("43.210", "Elektrisk installasjonsarbeid", 3),
    ("49.410", "Godstransport på vei", 2),
    ("90.030", "Selvstendig kunstnerisk virksomhet", 3),
]
WORDS = ["NORD", "SØR", "FJORD", "HAVN", "BJØRK", "ÅSEN", "LIA", "VIK", "DAL", "BRU", "SKOG", "ØYA", "LYNG", "ELV"]
HEALTH_WORDS = ["LEGESENTER", "FYSIOTERAPI", "TANNLEGE", "HELSE", "KLINIKK", "LEGEKONTOR", "PSYKOLOGTJENESTE"]
OTHER_WORDS = ["EIENDOM", "BYGG", "CONSULTING", "TRANSPORT", "HOLDING", "INVEST", "SERVICE", "DATA", "GÅRD"]
FOREIGN = [
    ("Sverige", "SE", "411 04 GÖTEBORG"),
    ("Danmark", "DK", "DK-2100 KØBENHAVN Ø"),
    ("Tyskland", "DE", "10115 BERLIN"),
]


def _reference() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    with (DATA_DIR / "kommuner-2024.csv").open(encoding="utf-8") as handle:
        municipalities = list(csv.DictReader(handle))
    with (DATA_DIR / "fylker-2024.csv").open(encoding="utf-8") as handle:
        counties = list(csv.DictReader(handle))
    return municipalities, counties


def _code(code: str, description: str, rng: random.Random) -> dict[str, str]:
    # Key order varies between bodies in the real data: older ones put the description first.
    return (
        {"beskrivelse": description, "kode": code} if rng.random() < 0.3 else {"kode": code, "beskrivelse": description}
    )


def _address(rng: random.Random, municipality: dict[str, str]) -> dict[str, Any]:
    lines: list[Any] = [f"{rng.choice(WORDS).title()}veien {rng.randint(1, 120)}"]
    if rng.random() < 0.1:
        lines.append(rng.choice([None, ""]))
    if rng.random() < 0.03:
        lines = []
    return {
        "land": "Norge",
        "landkode": "NO",
        "postnummer": f"{rng.randint(1, 9999):04d}",
        "poststed": municipality["navn"].upper(),
        "adresse": lines,
        "kommune": municipality["navn"].upper(),
        "kommunenummer": municipality["kommunenummer"],
    }


def _public_unit(number: str, name: str, form: str, description: str, address: dict[str, Any]) -> dict[str, Any]:
    return {
        "organisasjonsnummer": number,
        "navn": name.upper(),
        "organisasjonsform": {
            "kode": form,
            "beskrivelse": description,
            "_links": {"self": {"href": f"https://data.brreg.no/enhetsregisteret/api/organisasjonsformer/{form}"}},
        },
        "postadresse": address,
        "registreringsdatoEnhetsregisteret": "1995-02-19",
        "registrertIMvaregisteret": True,
        "naeringskode1": {"kode": "84.110", "beskrivelse": "Generell offentlig administrasjon"},
        "antallAnsatte": 2400,
        "harRegistrertAntallAnsatte": True,
        "forretningsadresse": address,
        "institusjonellSektorkode": {"kode": "6500", "beskrivelse": "Kommuneforvaltningen"},
        "registrertIForetaksregisteret": False,
        "registrertIStiftelsesregisteret": False,
        "registrertIFrivillighetsregisteret": False,
        "konkurs": False,
        "underAvvikling": False,
        "underTvangsavviklingEllerTvangsopplosning": False,
        "maalform": "Bokmål",
        "respons_klasse": "Enhet",
        "_links": {"self": {"href": f"https://data.brreg.no/enhetsregisteret/api/enheter/{number}"}},
    }


def _unit(number: str, rng: random.Random, municipalities: list[dict[str, str]]) -> dict[str, Any]:
    if rng.random() < 0.03:  # deleted: the register keeps only a reduced body
        body: dict[str, Any] = {
            "organisasjonsnummer": number,
            "slettedato": f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        }
        if rng.random() < 0.5:
            body["respons_klasse"] = "SlettetEnhet"
        if rng.random() < 0.5:
            body["navn"] = f"{rng.choice(WORDS)} {rng.choice(OTHER_WORDS)} AS"
            body["organisasjonsform"] = {"kode": "AS", "beskrivelse": "Aksjeselskap"}
        return body
    code, description, _w = rng.choices(FORMS, weights=[f[2] for f in FORMS])[0]
    industry = rng.choices(CODES, weights=[c[2] for c in CODES])[0]
    health = industry[0].startswith("86")
    words = HEALTH_WORDS if health else OTHER_WORDS
    name = f"{rng.choice(WORDS)} {rng.choice(words)}"
    if code in ("AS", "ASA", "NUF", "SA", "ANS", "DA", "IKS", "KF", "HF"):
        name = f"{name} {code}"
    elif code == "ENK":
        first = rng.choice(["KARI", "OLA", "INGRID", "LARS", "SIGRID", "ØYVIND"])
        name = f"{first} {rng.choice(WORDS)} {rng.choice(words)}"
    municipality = rng.choice(municipalities)
    unit: dict[str, Any] = {
        "organisasjonsnummer": number,
        "navn": name,
        "organisasjonsform": {"kode": code, "beskrivelse": description},
        "registreringsdatoEnhetsregisteret": (
            f"{rng.randint(1995, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        ),
        "registrertIMvaregisteret": rng.random() < 0.5,
        "naeringskode1": _code(industry[0], industry[1], rng),
    }
    if rng.random() < 0.1:
        second = rng.choices(CODES, weights=[c[2] for c in CODES])[0]
        unit["naeringskode2"] = _code(second[0], second[1], rng)
    if rng.random() < 0.6:
        unit["harRegistrertAntallAnsatte"] = (has := rng.random() < 0.4)
        if has:
            unit["antallAnsatte"] = rng.randint(5, 300)
    if code == "NUF" and rng.random() < 0.7:
        land, landkode, place = rng.choice(FOREIGN)
        unit["forretningsadresse"] = {
            "land": land,
            "landkode": landkode,
            "poststed": place,
            "adresse": ["Storgatan 1", None],
        }
    elif rng.random() < 0.95:
        unit["forretningsadresse"] = _address(rng, municipality)
    if rng.random() < 0.2:
        unit["postadresse"] = {**_address(rng, municipality), "adresse": [f"Postboks {rng.randint(1, 999)}"]}
    if rng.random() < 0.3:
        unit["epostadresse"] = f"post@{name.split()[0].lower().replace('ø', 'o').replace('å', 'a')}.example.no"
    if rng.random() < 0.3:
        unit["telefon"] = f"{rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    sector = "2100" if code in ("AS", "ASA") else "8200" if code == "ENK" else "7000"
    unit["institusjonellSektorkode"] = {"kode": sector, "beskrivelse": "Sektor"}
    status = rng.random()
    unit["konkurs"] = status < 0.01
    unit["underAvvikling"] = 0.01 <= status < 0.02
    unit["underTvangsavviklingEllerTvangsopplosning"] = 0.02 <= status < 0.025
    if status < 0.01:
        unit["konkursdato"] = f"2025-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    elif rng.random() < 0.05:
        unit["konkursdato"] = ""
    if rng.random() < 0.5:  # newer fields the importer must ignore
        unit["paategninger"] = []
        unit["erIKonsern"] = False
        unit["respons_klasse"] = "Enhet"
    if rng.random() < 0.1:
        unit["aktivitet"] = ["Drift av virksomhet innen", "helse og omsorg." if health else "handel og tjenester."]
    unit["_links"] = {"self": {"href": f"https://data.brreg.no/enhetsregisteret/api/enheter/{number}"}}
    return unit


def generate(count: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """``count`` units: the real municipalities and county authorities spread through the file, and
    invented units between them."""
    rng = random.Random(seed)  # noqa: S311 - synthetic test data, not security
    municipalities, counties = _reference()
    public: list[dict[str, Any]] = []
    taken: set[str] = set()
    for m in municipalities:
        if m["orgnr"] and m["orgnr"] not in taken:
            taken.add(m["orgnr"])
            public.append(_public_unit(m["orgnr"], f"{m['navn']} kommune", "KOMM", "Kommune", _address(rng, m)))
    by_number = {m["fylkesnummer"]: m for m in municipalities}
    for c in counties:
        if c["orgnr"] and c["orgnr"] not in taken:
            taken.add(c["orgnr"])
            public.append(
                _public_unit(
                    c["orgnr"],
                    f"{c['navn']} fylkeskommune",
                    "FYLK",
                    "Fylkeskommune",
                    _address(rng, by_number.get(c["fylkesnummer"], municipalities[0])),
                )
            )
    public = public[:count]
    every = max(count // max(len(public), 1), 1)
    base = 910_000_000 // 10
    produced = 0
    while produced < count:
        if public and produced % every == 0:
            yield public.pop(0)
        else:
            while True:
                base += rng.randint(1, 3)
                number = with_check_digit(str(base))
                if number and number not in taken:
                    break
            yield _unit(number, rng, municipalities)
        produced += 1


def write(path: Path, count: int, seed: int = 1) -> int:
    """Write the file (.json.gz gzipped, anything else plain JSON); returns the number of units."""
    path = Path(path)
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as handle:
            return _write_array(handle, generate(count, seed))
    with path.open("w", encoding="utf-8") as handle:
        return _write_array(handle, generate(count, seed))


def _write_array(handle: TextIO, units: Iterator[dict[str, Any]]) -> int:
    handle.write("[")
    n = 0
    for n, unit in enumerate(units, 1):
        if n > 1:
            handle.write(",\n")
        handle.write(json.dumps(unit, ensure_ascii=False))
    handle.write("]\n")
    return n
