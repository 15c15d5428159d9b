import gzip
import json
import re
from collections import Counter

import pytest

from enhetsregisteret import importer, synthetic
from enhetsregisteret.apply import Applier
from enhetsregisteret.importer import ImportFileError, ReaderProcess, import_file
from enhetsregisteret.models import FollowUp, ImportCheckpoint, RegisterEntry, StagedUnit
from enhetsregisteret.records import parse_unit, valid_org_number
from enhetsregisteret.tests.records import deleted_record, unit_record, write_file
from memberships.choices import MembershipState
from memberships.models import Membership
from organisations.choices import RegisterStatus, Source
from organisations.models import Organisation
from organisations.validators import with_check_digit

HEALTH_AS = with_check_digit("92000001")
PROPERTY_AS = with_check_digit("92000002")
HEALTH_ENK = with_check_digit("92000003")
NURSING_AS = with_check_digit("92000004")


# --- the synthetic file ----------------------------------------------------------------------------


def test_synthetic_file_is_deterministic_and_in_the_real_format(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    synthetic.write(a, 3000, seed=7)
    synthetic.write(b, 3000, seed=7)
    assert a.read_bytes() == b.read_bytes()
    synthetic.write(b, 3000, seed=8)
    assert a.read_bytes() != b.read_bytes()
    units = json.loads(a.read_text(encoding="utf-8"))
    assert len(units) == 3000
    assert all(valid_org_number(u["organisasjonsnummer"]) for u in units)
    assert len({u["organisasjonsnummer"] for u in units}) == 3000
    forms = Counter(u.get("organisasjonsform", {}).get("kode") for u in units if "slettedato" not in u)
    assert {"KOMM", "FYLK", "ENK", "AS", "NUF", "FLI"} <= set(forms)
    assert forms["KOMM"] == 356 and forms["FYLK"] >= 10
    deleted = [u for u in units if "slettedato" in u]
    assert deleted and all("naeringskode1" not in u for u in deleted)
    assert any(str(u.get("naeringskode1", {}).get("kode", "")).startswith("86") for u in units)
    assert any(u.get("forretningsadresse", {}).get("landkode") not in (None, "NO") for u in units)
    assert any(None in u.get("forretningsadresse", {}).get("adresse", []) for u in units)


def test_make_synthetic_register_command_writes_gzip(tmp_path, manage):
    path = tmp_path / "enheter_alle.json.gz"
    code, out, _err = manage("make_synthetic_register", "--count", "500", "--seed", "3", str(path))
    assert code == 0 and "500 units" in out
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        assert len(json.load(handle)) == 500
    code, _out, err = manage("make_synthetic_register", "--count", "0", str(path))
    assert code != 0 and "--count" in err


# --- import ----------------------------------------------------------------------------------------


def _records(world):
    return [
        unit_record(HEALTH_AS),
        unit_record(PROPERTY_AS, name="BJØRK EIENDOM AS", code="68.209"),
        unit_record(HEALTH_ENK, name="KARI NORD FYSIOTERAPI", form="ENK", code="86.902"),
        unit_record(NURSING_AS, name="LIA SYKEHJEM AS", code="87.101"),
        unit_record(world.org_a.org_number, name="RINGSAKER KOMMUNE", form="KOMM", code="84.110"),
        unit_record(world.enterprise_b.org_number, name="BERGEN LEGESENTER AS", konkurs=True),
        unit_record("974760674", name="UGYLDIG LEGESENTER AS"),
    ]


@pytest.mark.parametrize("name", ["enheter_alle.json", "enheter_alle.json.gz"])
def test_import_stores_only_the_units_that_matter(world, tmp_path, manage, name):
    path = write_file(tmp_path / name, _records(world))
    code, out, _err = manage("import_enhetsregisteret", "--quiet", str(path))
    assert code == 0, out
    numbers = set(Organisation.objects.values_list("org_number", flat=True))
    assert {HEALTH_AS, HEALTH_ENK} <= numbers  # selected by the default rule: ENK/AS in 86
    assert PROPERTY_AS not in numbers and NURSING_AS not in numbers
    created = Organisation.objects.get(org_number=HEALTH_AS)
    assert created.source == Source.ENHETSREGISTERET
    assert created.search_name == "nord legesenter as"
    assert created.address_municipality == world.municipality_a
    assert created.register_entry.must_be_member
    # a reference-data or existing organisation is updated, the portal's own name of a municipality kept
    org_a = Organisation.objects.get(pk=world.org_a.pk)
    assert org_a.industry_codes == ["84.110"]
    enterprise = Organisation.objects.get(pk=world.enterprise_b.pk)
    assert enterprise.register_status == RegisterStatus.BANKRUPT
    assert "7 units" in out and "1 records without a valid organisation number skipped" in out


def test_importing_the_same_file_again_changes_nothing(world, tmp_path, manage):
    path = write_file(tmp_path / "enheter_alle.json", _records(world))
    manage("import_enhetsregisteret", "--quiet", str(path))
    before = list(Organisation.objects.order_by("pk").values())
    code, out, _err = manage("import_enhetsregisteret", "--quiet", str(path))
    assert "imported in full before" in out
    code, out, _err = manage("import_enhetsregisteret", "--quiet", "--force", str(path))
    assert code == 0 and "0 organisations created, 0 updated" in out
    assert list(Organisation.objects.order_by("pk").values()) == before


def test_a_member_deleted_from_the_register_is_flagged_and_kept(world, tmp_path, manage):
    member = world.enterprise_b
    Membership.objects.create(organisation=member, state=MembershipState.ACTIVE)
    path = write_file(tmp_path / "enheter_alle.json", [deleted_record(member.org_number, "2026-11-20")])
    manage("import_enhetsregisteret", "--quiet", str(path))
    member.refresh_from_db()
    assert member.register_status == RegisterStatus.DELETED
    assert member.name == "Bergen Legesenter AS"  # the reduced body does not blank the rest
    assert member.membership.state == MembershipState.ACTIVE  # never ended by the register alone
    follow_up = FollowUp.objects.get(organisation=member)
    assert follow_up.reason == "deleted" and follow_up.detail == "2026-11-20"
    assert member.register_entry.deleted_on.isoformat() == "2026-11-20"
    # seen again: still one open follow-up
    manage("import_enhetsregisteret", "--quiet", "--force", str(path))
    assert FollowUp.objects.filter(organisation=member).count() == 1


def test_deleted_units_the_portal_never_knew_are_not_stored(world, tmp_path, manage):
    path = write_file(tmp_path / "enheter_alle.json", [deleted_record(HEALTH_AS)])
    manage("import_enhetsregisteret", "--quiet", str(path))
    assert not Organisation.objects.filter(org_number=HEALTH_AS).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json at all", "not a JSON array"),
        (b'{"_embedded": {}}', "not a JSON array"),
        (b'[{"organisasjonsnummer": "9', "not a readable register file"),
        (b"\x1f\x8b garbage", "not a readable register file"),
    ],
)
def test_a_broken_file_gives_a_clear_error(world, tmp_path, manage, content, message):
    path = tmp_path / "enheter_alle.json"
    path.write_bytes(content)
    code, _out, err = manage("import_enhetsregisteret", "--quiet", str(path))
    assert code != 0 and message in err
    assert not ImportCheckpoint.objects.exclude(finished_at=None).exists()


def test_a_missing_file_gives_a_clear_error(manage, db, tmp_path):
    code, _out, err = manage("import_enhetsregisteret", str(tmp_path / "nope.json.gz"))
    assert code != 0 and "no such file" in err


def test_a_batch_writes_with_a_few_bulk_statements_whatever_its_size(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    units = [parse_unit(unit_record(with_check_digit(f"930{n:05d}") or HEALTH_AS)) for n in range(300)]
    applier = Applier()
    with CaptureQueriesContext(connection) as queries:
        result = applier.apply([u for u in units if u])
    assert result.created > 250
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert statements.count("SELECT") <= 3
    assert "UPDATE" not in statements  # upserts only, never a statement per row
    # SQLite: multi-row INSERTs chunked under its 999-parameter limit; PostgreSQL: COPY into a
    # temporary table, then one INSERT … SELECT per table
    assert len(statements) <= 16


# --- crash safety ----------------------------------------------------------------------------------


def _state():
    orgs = {
        row["org_number"]: tuple(
            v for k, v in sorted(row.items()) if k not in {"id", "created_at", "updated_at", "synced_at"}
        )
        for row in Organisation.objects.values()
    }
    entries = {
        e["organisation__org_number"]: tuple(
            v for k, v in sorted(e.items()) if k not in {"organisation_id", "first_seen_at"}
        )
        for e in RegisterEntry.objects.values(
            "organisation__org_number", "deleted_on", "removed", "bankrupt", "under_liquidation", "must_be_member"
        )
    }
    follow_ups = sorted(FollowUp.objects.values_list("organisation__org_number", "reason", "resolved_at"))
    return orgs, entries, follow_ups


def _reset(initial):
    RegisterEntry.objects.all().delete()
    FollowUp.objects.all().delete()
    ImportCheckpoint.objects.all().delete()
    # a raw delete: the import created nothing else that points at these rows
    query = Organisation.objects.filter(source=Source.ENHETSREGISTERET)
    query._raw_delete(query.db)
    for pk, values in initial.items():
        Organisation.objects.filter(pk=pk).update(**values)


class Crash(Exception):
    pass


@pytest.mark.parametrize("fail_at_batch", [1, 4, 9])
def test_an_import_killed_mid_file_resumes_to_the_same_result(world, tmp_path, monkeypatch, fail_at_batch):
    path = tmp_path / "enheter_alle.json.gz"
    synthetic.write(path, 4000, seed=11)
    # members whose standing the file changes: a deleted member is flagged in both runs
    Membership.objects.create(organisation=world.enterprise_b, state=MembershipState.ACTIVE)
    initial = {o["id"]: {k: v for k, v in o.items() if k != "id"} for o in Organisation.objects.values()}

    import_file(path, batch_size=10_000, scan_limit=400)
    uninterrupted = _state()
    assert len(uninterrupted[0]) > 300
    _reset(initial)
    before = _state()

    calls = {"n": 0}
    real_stage = importer.stage_batch

    def failing_stage(*args, **kwargs):
        calls["n"] += 1
        real_stage(*args, **kwargs)  # the batch's writes happen, then the process "dies"
        if calls["n"] == fail_at_batch:
            raise Crash

    monkeypatch.setattr(importer, "stage_batch", failing_stage)
    with pytest.raises(Crash):
        import_file(path, batch_size=10_000, scan_limit=400)
    checkpoint = ImportCheckpoint.objects.get()
    assert checkpoint.units_done == (fail_at_batch - 1) * 400  # the failed batch left nothing behind
    assert checkpoint.finished_at is None
    assert _state() == before  # nothing reaches the register before the whole file was read
    monkeypatch.setattr(importer, "stage_batch", real_stage)

    report = import_file(path, batch_size=10_000, scan_limit=400)
    assert report.resumed_from == (fail_at_batch - 1) * 400
    assert _state() == uninterrupted
    assert ImportCheckpoint.objects.get().finished_at is not None


def test_a_file_cut_off_half_way_leaves_the_register_exactly_as_it_was(world, tmp_path):
    """Issue 19: all or nothing. A truncated file is read batch by batch into the staging area, and
    refused when it breaks off: not one unit of it reaches the register, and the error says where."""
    path = tmp_path / "enheter_alle.json"
    synthetic.write(path, 4000, seed=11)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) * 2 // 3])  # cut off mid-unit, two thirds in
    before = _state()

    with pytest.raises(ImportFileError) as failure:
        import_file(path, batch_size=10_000, scan_limit=400)

    message = str(failure.value)
    checkpoint = ImportCheckpoint.objects.get()
    assert checkpoint.units_done >= 2000 and checkpoint.finished_at is None  # several batches were staged
    failed_at = re.search(r"not a readable register file after unit (\d+)", message)
    assert failed_at is not None and int(failed_at.group(1)) >= checkpoint.units_done  # where it broke off
    assert "The register is unchanged" in message
    assert _state() == before
    assert not Organisation.objects.filter(source=Source.ENHETSREGISTERET).exists()
    assert StagedUnit.objects.exists()  # kept for a rerun of the same file

    # The whole file (a new file, by its size and first bytes) replaces what the broken one staged.
    path.write_bytes(whole)
    report = import_file(path, batch_size=10_000, scan_limit=400)
    assert report.units == 4000 and report.resumed_from == 0
    assert Organisation.objects.filter(source=Source.ENHETSREGISTERET).count() > 300
    assert not StagedUnit.objects.exists()


def test_a_crash_while_applying_leaves_the_register_as_it_was_and_the_rerun_applies_it(world, tmp_path, monkeypatch):
    path = tmp_path / "enheter_alle.json.gz"
    synthetic.write(path, 4000, seed=11)
    initial = {o["id"]: {k: v for k, v in o.items() if k != "id"} for o in Organisation.objects.values()}
    before = _state()
    import_file(path, batch_size=100, scan_limit=400)
    uninterrupted = _state()
    _reset(initial)
    assert _state() == before

    calls = {"n": 0}
    real_apply = Applier.apply

    def failing_apply(self, units, now=None, hashes=None):
        calls["n"] += 1
        result = real_apply(self, units, now, hashes)  # this chunk's writes happen, then the process "dies"
        if calls["n"] == 2:
            raise Crash
        return result

    monkeypatch.setattr(Applier, "apply", failing_apply)
    with pytest.raises(Crash):
        import_file(path, batch_size=100, scan_limit=400)
    assert _state() == before  # the first chunk's writes were rolled back with the rest
    assert ImportCheckpoint.objects.get().units_done == 4000  # the whole file is staged
    monkeypatch.setattr(Applier, "apply", real_apply)

    report = import_file(path, batch_size=100, scan_limit=400)
    assert report.resumed_from == 4000
    assert _state() == uninterrupted
    assert not StagedUnit.objects.exists()


# --- the reader process ----------------------------------------------------------------------------


@pytest.fixture
def readers(monkeypatch):
    """The reader processes started, for tests that watch or kill them."""
    started = []
    enter = ReaderProcess.__enter__

    def recording_enter(self):
        messages = enter(self)
        started.append(self.process)
        return messages

    monkeypatch.setattr(ReaderProcess, "__enter__", recording_enter)
    return started


def test_progress_reaches_the_whole_file_and_the_reader_process_ends(world, tmp_path, readers):
    path = tmp_path / "enheter_alle.json.gz"
    synthetic.write(path, 3000, seed=5)
    read = []
    report = import_file(path, batch_size=100, scan_limit=500, progress=read.append)
    assert report.units == 3000 and report.batches >= 6
    assert sum(read) == path.stat().st_size  # the bar ends at 100 %
    assert len(read) > 1  # and moved on the way
    assert len(readers) == 1 and readers[0].returncode == 0


def test_a_reader_that_dies_mid_file_stops_the_import_with_a_clear_error(world, tmp_path, readers):
    path = tmp_path / "enheter_alle.json.gz"
    synthetic.write(path, 3000, seed=5)

    def kill_reader(done):
        readers[-1].kill()
        readers[-1].wait()

    with pytest.raises(ImportFileError, match=r"the reader stopped after unit \d+") as failure:
        import_file(path, batch_size=10_000, scan_limit=500, after_batch=kill_reader)
    # What the child had already put in the pipe is written; the rest waits for the next run.
    done = ImportCheckpoint.objects.get().units_done
    assert f"after unit {done}" in str(failure.value)
    assert done in range(500, 3000, 500)
    report = import_file(path, batch_size=10_000, scan_limit=500)
    assert report.resumed_from == done and report.units == 3000


def test_a_failing_import_stops_its_reader(world, tmp_path, readers):
    path = tmp_path / "enheter_alle.json.gz"
    synthetic.write(path, 3000, seed=5)

    def fail(done):
        raise Crash

    with pytest.raises(Crash):
        import_file(path, batch_size=10_000, scan_limit=500, after_batch=fail)
    assert readers[0].returncode is not None  # stopped and reaped, not left running


def test_the_register_s_written_form_reaches_the_organisation_and_follows_a_change(world):
    """«maalform» decides the language of e-mails to the organisation (core.mail), so the import keeps it."""
    applier = Applier()
    applier.apply([parse_unit(unit_record(HEALTH_AS, maalform="Nynorsk"))])
    assert Organisation.objects.get(org_number=HEALTH_AS).written_form == "nn"
    applier.apply([parse_unit(unit_record(HEALTH_AS, maalform="Bokmål"))])
    assert Organisation.objects.get(org_number=HEALTH_AS).written_form == "nb"


def test_an_unknown_municipality_number_never_erases_a_known_municipality(world):
    """Issue 19: an old number (Ringsaker was 0412 before the 2020 reform) leaves the organisation's
    municipality as it was; a known number still moves it."""
    applier = Applier()
    applier.apply([parse_unit(unit_record(HEALTH_AS))])
    assert Organisation.objects.get(org_number=HEALTH_AS).address_municipality == world.municipality_a
    old = unit_record(HEALTH_AS)
    old["forretningsadresse"]["kommunenummer"] = "0412"
    applier.apply([parse_unit(old)])
    assert Organisation.objects.get(org_number=HEALTH_AS).address_municipality == world.municipality_a
    moved = unit_record(HEALTH_AS)
    moved["forretningsadresse"]["kommunenummer"] = "4601"
    applier.apply([parse_unit(moved)])
    assert Organisation.objects.get(org_number=HEALTH_AS).address_municipality == world.municipality_b
