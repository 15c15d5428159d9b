"""CSV import: all rows or none, errors with line numbers; the web upload and the command."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from connections.importer import import_connections, import_outages
from connections.models import Connection, ConnectionChange, Outage

pytestmark = pytest.mark.django_db
HEADER = "owner,shared_with,site_address,site_municipality,type,provider,bandwidth_mbps,redundancy,uptime_target,status,planned_on,ordered_on,activated_on,decommissioned_on,notes"


def csv_for(world: Any, *rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def good_rows(world: Any) -> list[str]:
    a, b, e = world.org_a.org_number, world.org_b.org_number, world.enterprise_b.org_number
    return [
        f"{a},,Rådhusgata 1,3411,direct,Telenor,1000,diverse,99.95,active,2019-01-10,2019-02-01,2019-05-01,,Hovedlinje",
        f"{b},{e},Kaigaten 4,4601,shared,Telia,200,single,,ordered,2025-01-01,2025-02-01,,,",
        f"{a},,Moelv sykehjem,3411,municipal_network,,100,dual,99.9,planned,,,,,",
    ]


@time_machine.travel(dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC))
def test_a_valid_file_stores_every_row_with_history(world: Any) -> None:
    result = import_connections(actor=world["membership_manager"], content=csv_for(world, *good_rows(world)))
    assert result.ok, result.errors
    assert Connection.objects.count() == 3
    shared = Connection.objects.get(site_address="Kaigaten 4")
    assert list(shared.shared_with.all()) == [world.enterprise_b]
    assert shared.uptime_target == Decimal("99.9")
    assert ConnectionChange.objects.filter(kind="imported").count() == 3
    assert Connection.objects.get(site_address="Moelv sykehjem").planned_on == dt.date(2025, 6, 1)


def test_a_file_with_a_bad_row_stores_nothing_and_names_the_line(world: Any) -> None:
    rows = good_rows(world)
    rows.insert(1, f"{world.org_a.org_number},,Gata 2,9999,satellite,,fast,triple,,active,,,,,")
    result = import_connections(actor=world["membership_manager"], content=csv_for(world, *rows))
    assert not result.ok
    assert Connection.objects.count() == 0 and ConnectionChange.objects.count() == 0
    text = "\n".join(result.errors)
    assert all(message.startswith("Line 3:") for message in result.errors), text
    for column in ("site_municipality", "type", "bandwidth_mbps", "redundancy"):
        assert column in text


def test_model_rules_are_checked_row_by_row(world: Any) -> None:
    rows = [
        *good_rows(world),
        f"{world.org_a.org_number},,Gata 3,3411,direct,,100,single,,active,,,,,",  # active without a date
        "123456789,,Gata 4,3411,direct,,100,single,,planned,,,,,",  # no such organisation
    ]
    result = import_connections(actor=world["membership_manager"], content=csv_for(world, *rows))
    assert [error.split(":")[0] for error in result.errors] == ["Line 5", "Line 6"]
    assert "activated_on" in result.errors[0]
    assert Connection.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"owner;site_address\n1;2\n", "missing columns"),
        ((HEADER + ",colour\n").encode(), "unknown columns"),
        (HEADER.encode() + b"\n", "no rows"),
        ("ø".encode("latin-1"), "UTF-8"),
    ],
)
def test_an_unreadable_file_is_refused_with_a_reason(world: Any, content: bytes, message: str) -> None:
    result = import_connections(actor=world["membership_manager"], content=content)
    assert not result.ok and message in result.errors[0]


def test_semicolons_and_norwegian_dates_are_accepted(world: Any) -> None:
    row = f"{world.org_a.org_number};;Rådhusgata 1;3411;direct;;100;single;99,9;active;;;01.03.2020;;"
    content = (HEADER.replace(",", ";") + "\n" + row + "\n").encode("utf-8-sig")
    result = import_connections(actor=world["system_admin"], content=content)
    assert result.ok, result.errors
    assert Connection.objects.get().activated_on == dt.date(2020, 3, 1)


def test_the_upload_page_reports_errors_and_stores_nothing(world: Any, login: Any) -> None:
    client = login(world["customer_centre"])
    rows = [*good_rows(world), f"{world.org_a.org_number},,Gata,3411,direct,,-5,single,,active,,,2020-01-01,,"]
    upload = SimpleUploadedFile("forbindelser.csv", csv_for(world, *rows), content_type="text/csv")
    response = client.post(reverse("connections:connection_import"), {"file": upload, "kind": "connections"})
    assert response.status_code == 400
    assert "Line 5" in response.content.decode()
    assert Connection.objects.count() == 0
    upload = SimpleUploadedFile("forbindelser.csv", csv_for(world, *good_rows(world)), content_type="text/csv")
    response = client.post(reverse("connections:connection_import"), {"file": upload, "kind": "connections"})
    assert response.status_code == 302 and Connection.objects.count() == 3


def test_members_cannot_import(world: Any, login: Any) -> None:
    response = login(world["admin_a"]).get(reverse("connections:connection_import"))
    assert response.status_code == 403


def test_the_command_imports_all_or_nothing(world: Any, manage: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_for(world, *good_rows(world), "999,,x,3411,direct,,1,single,,planned,,,,,"))
    code, _out, err = manage("import_connections", str(bad), "--actor", world["membership_manager"].email)
    assert code != 0 and "Line 5" in err and Connection.objects.count() == 0
    good = tmp_path / "good.csv"
    good.write_bytes(csv_for(world, *good_rows(world)))
    code, out, _err = manage("import_connections", str(good), "--actor", world["membership_manager"].email)
    assert code == 0 and "3" in out and Connection.objects.count() == 3
    code, _out, err = manage("import_connections", str(good), "--actor", world["admin_a"].email)
    assert code != 0 and Connection.objects.count() == 3


def test_outages_import_all_or_nothing_in_norwegian_time(world: Any, make_connection: Any, login: Any) -> None:
    connection = make_connection()
    good = [
        f"{connection.pk},2025-01-31 22:00,2025-02-01 03:30,Gravearbeid,nei",
        f"{connection.pk},12.03.2025 23:00,13.03.2025 01:00,Oppgradering,ja",
    ]
    bad = [*good, f"{connection.pk},2025-04-01 10:00,2025-04-01 09:00,Feil,kanskje", "999999,2025-01-01 10:00,,x,"]
    content = ("connection,start,end,cause,planned\n" + "\n".join(bad) + "\n").encode()
    result = import_outages(actor=world["customer_centre"], content=content)
    assert not result.ok and not Outage.objects.exists()
    assert [e.split(":")[0] for e in result.errors] == ["Line 4", "Line 5"]
    assert "planned" in result.errors[0] and "No connection" in result.errors[1]
    content = ("connection,start,end,cause,planned\n" + "\n".join(good) + "\n").encode()
    upload = SimpleUploadedFile("brudd.csv", content, content_type="text/csv")
    response = login(world["customer_centre"]).post(
        reverse("connections:connection_import"), {"file": upload, "kind": "outages"}
    )
    assert response.status_code == 302
    first, second = Outage.objects.order_by("start")
    assert first.start == dt.datetime(2025, 1, 31, 21, 0, tzinfo=dt.UTC)  # 22:00 in Norway in winter
    assert (first.planned, second.planned) == (False, True)
