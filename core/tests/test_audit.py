"""The tamper-evident audit trail: append-only in the application (and on PostgreSQL in the database), hash-chained,
and `manage.py verify_audit_chain` names the first bad event.

Tampering is simulated the way an attacker with database access would do it: raw SQL on core_auditevent, inside a
savepoint that is rolled back afterwards (on PostgreSQL with the append-only trigger switched off, as the table's
owner could). Tail truncation leaves a valid shorter chain; only an anchor kept outside the database reveals it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
import secrets
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models.deletion import ProtectedError

from core.audit import GENESIS, audit_record, audit_records, event_hash, verify_chain
from core.models import AppendOnlyError, AuditEvent

SEED = 20_270_104
MUTATIONS = 200
TABLE = AuditEvent._meta.db_table  # a constant from the model: the SQL built from it below holds no user input
FIELDS = {field.column: field for field in AuditEvent._meta.concrete_fields}
CONTENT_COLUMNS = [column for column in FIELDS if column not in ("id", "prev_hash", "hash")]
EDITABLE_COLUMNS = [column for column in FIELDS if column != "id"]
ACTIONS = ["terms.published", "agreement.signed", "membership.transition", "delegation.granted", "delegation.revoked"]
ON_POSTGRESQL = connection.vendor == "postgresql"


# --- helpers -------------------------------------------------------------------------------------------------------


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def execute(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def row_of(event: AuditEvent) -> dict[str, Any]:
    return {column: getattr(event, field.attname) for column, field in FIELDS.items()}


def set_columns(pk: int, values: dict[str, Any]) -> None:
    """UPDATE one row behind the application's back."""
    assignments = ", ".join(f"{quote(column)} = %s" for column in values)
    params = [FIELDS[column].get_db_prep_save(value, connection) for column, value in values.items()]
    execute(f"UPDATE {TABLE} SET {assignments} WHERE id = %s", [*params, pk])  # noqa: S608


def insert_row(values: dict[str, Any]) -> None:
    columns = list(values)
    params = [FIELDS[column].get_db_prep_save(values[column], connection) for column in columns]
    placeholders = ", ".join(["%s"] * len(columns))
    execute(f"INSERT INTO {TABLE} ({', '.join(quote(c) for c in columns)}) VALUES ({placeholders})", params)  # noqa: S608


def delete_rows(ids: list[int]) -> None:
    for pk in ids:
        execute(f"DELETE FROM {TABLE} WHERE id = %s", [pk])  # noqa: S608


def random_hash() -> str:
    return secrets.token_hex(32)


@contextmanager
def rolled_back() -> Iterator[None]:
    """A savepoint that is always rolled back: a fresh copy of whatever the table held before."""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


@contextmanager
def tampering() -> Iterator[None]:
    """Work on the chain as an attacker with database rights; everything is rolled back afterwards."""
    with rolled_back():
        if ON_POSTGRESQL:
            execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses while deferred FK checks are pending
            execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER core_auditevent_append_only")
        yield


def json_value(rng: random.Random, index: int) -> Any:
    return rng.choice(
        [
            None,
            {"state": rng.choice(["invited", "active", "must_resign"]), "n": index},
            {
                "valid_until": dt.date(2027, 1, 1) + dt.timedelta(days=index),
                "amount": decimal.Decimal("1249.50"),
                "id": uuid.UUID(int=index + 1),
                "mixed": [1, "to", None, True, 2.5],
            },
            {"text": f"Æøå «sitat» – 🙂\nlinje {index}", "nested": {"a": {"b": [index, {"c": ""}]}}},
        ]
    )


def build_chain(world: Any, rng: random.Random, length: int) -> list[AuditEvent]:
    """``length`` varied events through audit_record (table empty first: ids run 1…length)."""
    actors = [None, world["admin_a"], world["membership_manager"], world["member_a"]]
    objects = [world.org_a, world.org_b, world["admin_a"], world.municipality_a]
    start = dt.datetime(2027, 1, 1, 8, 0, tzinfo=dt.UTC)
    for index in range(length):
        audit_record(
            actor=rng.choice(actors),
            action=rng.choice(ACTIONS),
            obj=rng.choice(objects),
            organisation_id=rng.choice([None, world.org_a.pk, world.org_b.pk]),
            before=json_value(rng, index),
            after=json_value(rng, index + 1000),
            reason=f"Grunn nr. {index}",
            at=start + dt.timedelta(minutes=7 * index, microseconds=rng.randrange(1_000_000)),
        )
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.pk for e in events] == list(range(1, length + 1))
    return events


# --- mutations: each changes the stored chain and returns the id verify must name first --------------------------


def changed_value(column: str, current: Any, rng: random.Random, user_ids: list[int]) -> Any:
    if column == "occurred_at":
        return current + dt.timedelta(seconds=rng.choice([1, -1, 3600]))
    if column == "actor_id":
        return rng.choice([pk for pk in [*user_ids, None] if pk != current])
    if column == "organisation_id":
        return rng.choice([None, 1, 2, 3, 987_654]) if current is None else current + 1
    if column in ("before", "after"):
        return {"forged": rng.randrange(1_000_000)}
    if column in ("prev_hash", "hash"):
        return random_hash()
    if column == "ip_address":
        return rng.choice([a for a in (None, "192.0.2.1", "2001:db8::1", "198.51.100.7") if a != current])
    return current + rng.choice(["x", " ", "1"])


def edit_a_field(events: list[AuditEvent], rng: random.Random, user_ids: list[int]) -> int:
    event = rng.choice(events)
    column = rng.choice(EDITABLE_COLUMNS)
    value = changed_value(column, row_of(event)[column], rng, user_ids)
    assert value != row_of(event)[column]
    set_columns(event.pk, {column: value})
    return event.pk


def delete_a_row(events: list[AuditEvent], rng: random.Random, user_ids: list[int]) -> int:
    event = rng.choice(events[:-1])
    delete_rows([event.pk])
    return event.pk + 1


def forged_event(pk: int, prev_hash: str) -> AuditEvent:
    return AuditEvent(
        id=pk,
        occurred_at=dt.datetime(2027, 2, 2, 12, 0, tzinfo=dt.UTC),
        actor=None,
        actor_label="system",
        action="agreement.signed",
        object_type="memberships.signature",
        object_id="4242",
        organisation_id=1,
        before=None,
        after={"forged": True},
        reason="",
        prev_hash=prev_hash,
    )


def _insert_in_the_middle(events: list[AuditEvent], rng: random.Random, *, careful: bool) -> int:
    """Make room at position k+1 (the rows after move up one id) and put a forged event there. Careful: its hash is
    right and the next row is relinked to it; lazy: hash and link are made up."""
    k = rng.randrange(0, len(events))  # 0: before the first event
    for event in reversed(events[k:]):
        set_columns(event.pk, {"id": event.pk + 1})
    previous = events[k - 1].hash if k else GENESIS
    forged = forged_event(k + 1, previous if careful else random_hash())
    forged.hash = event_hash(forged) if careful else random_hash()
    if careful:
        set_columns(k + 2, {"prev_hash": forged.hash})
    insert_row(row_of(forged))
    return k + 2 if careful else k + 1


def insert_a_forged_row_carefully(events: list[AuditEvent], rng: random.Random, user_ids: list[int]) -> int:
    return _insert_in_the_middle(events, rng, careful=True)


def insert_a_forged_row_lazily(events: list[AuditEvent], rng: random.Random, user_ids: list[int]) -> int:
    return _insert_in_the_middle(events, rng, careful=False)


def append_a_row_with_a_made_up_hash(events: list[AuditEvent], rng: random.Random, user_ids: list[int]) -> int:
    forged = forged_event(events[-1].pk + 1, events[-1].hash)
    forged.hash = rng.choice([random_hash(), events[0].hash[::-1]])
    insert_row(row_of(forged))
    return forged.pk


def swap_two_rows_content(events: list[AuditEvent], rng: random.Random, user_ids: list[int]) -> int:
    first, second = sorted(rng.sample(events, 2), key=lambda e: e.pk)
    a, b = row_of(first), row_of(second)
    set_columns(first.pk, {c: b[c] for c in CONTENT_COLUMNS})
    set_columns(second.pk, {c: a[c] for c in CONTENT_COLUMNS})
    return first.pk


def swap_two_whole_rows(events: list[AuditEvent], rng: random.Random, user_ids: list[int]) -> int:
    """Everything but the id, hashes included (through a placeholder, as the hashes are unique)."""
    first, second = sorted(rng.sample(events, 2), key=lambda e: e.pk)
    a, b = row_of(first), row_of(second)
    columns = [c for c in FIELDS if c != "id"]
    set_columns(first.pk, {"prev_hash": random_hash(), "hash": random_hash()})
    set_columns(second.pk, {c: a[c] for c in columns})
    set_columns(first.pk, {c: b[c] for c in columns})
    return first.pk


def recompute_a_forged_events_hash(events: list[AuditEvent], rng: random.Random, user_ids: list[int]) -> int:
    """Edit an event and give it the right hash for its new content, but leave the next event's link alone."""
    event = rng.choice(events[:-1])
    event.reason = event.reason + " (rettet)"
    event.hash = event_hash(event)
    set_columns(event.pk, {"reason": event.reason, "hash": event.hash})
    return event.pk + 1


# Tail mutations: a valid shorter or longer chain; only an anchor can tell (and only of what it pinned).
def truncate_the_tail(events: list[AuditEvent], rng: random.Random, user_ids: list[int]) -> int:
    count = rng.randint(1, min(3, len(events) - 1))
    delete_rows([e.pk for e in events[-count:]])
    return events[-1].pk


def forge_the_newest_event_and_its_hash(events: list[AuditEvent], rng: random.Random, user_ids: list[int]) -> int:
    head = events[-1]
    head.after = {"forged": True}
    head.hash = event_hash(head)
    set_columns(head.pk, {"after": head.after, "hash": head.hash})
    return head.pk


def append_a_well_formed_event(events: list[AuditEvent], rng: random.Random, user_ids: list[int]) -> int:
    forged = forged_event(events[-1].pk + 1, events[-1].hash)
    forged.hash = event_hash(forged)
    insert_row(row_of(forged))
    return forged.pk


Mutation = Callable[[list[AuditEvent], random.Random, list[int]], int]
NON_TAIL: list[Mutation] = [
    edit_a_field,
    delete_a_row,
    insert_a_forged_row_carefully,
    insert_a_forged_row_lazily,
    append_a_row_with_a_made_up_hash,
    swap_two_rows_content,
    swap_two_whole_rows,
    recompute_a_forged_events_hash,
]
TAIL: list[Mutation] = [truncate_the_tail, forge_the_newest_event_and_its_hash, append_a_well_formed_event]


# --- the chain -----------------------------------------------------------------------------------------------------


def test_a_chain_written_through_audit_record_verifies_and_links_each_event_to_the_previous(world: Any) -> None:
    events = build_chain(world, random.Random(SEED), 12)

    report = verify_chain()

    assert report.ok
    assert (report.checked, report.first_bad_id, report.head_id, report.head_hash) == (12, None, 12, events[-1].hash)
    assert events[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(events))
    assert all(event.hash == event_hash(event) for event in events)


def test_ten_clean_chains_of_varied_content_give_no_false_alarm(world: Any) -> None:
    rng = random.Random(SEED + 1)
    false_alarms = []

    for chain in range(10):
        with rolled_back():
            length = rng.randint(1, 40)
            events = build_chain(world, rng, length)
            report = verify_chain()
            anchored = verify_chain(anchor=(events[-1].pk, events[-1].hash))
            middle = events[len(events) // 2]
            anchored_in_the_middle = verify_chain(anchor=(middle.pk, middle.hash))
            if not (report.ok and anchored.ok and anchored_in_the_middle.ok and report.checked == length):
                false_alarms.append((chain, report, anchored, anchored_in_the_middle))

    print(f"\nclean chains: 10 verified, {len(false_alarms)} false alarms")
    assert false_alarms == []


def varied_entries(world: Any, rng: random.Random, length: int) -> list[dict[str, Any]]:
    """``audit_record``'s keyword arguments for ``length`` varied events (as build_chain records them)."""
    actors = [None, world["admin_a"], world["membership_manager"], world["member_a"]]
    objects = [world.org_a, world.org_b, world["admin_a"], world.municipality_a]
    start = dt.datetime(2027, 1, 1, 8, 0, tzinfo=dt.UTC)
    return [
        {
            "actor": rng.choice(actors),
            "action": rng.choice(ACTIONS),
            "obj": rng.choice(objects),
            "organisation_id": rng.choice([None, world.org_a.pk, world.org_b.pk]),
            "before": json_value(rng, index),
            "after": json_value(rng, index + 1000),
            "reason": f"Grunn nr. {index}",
            "at": start + dt.timedelta(minutes=7 * index, microseconds=rng.randrange(1_000_000)),
        }
        for index in range(length)
    ]


@pytest.mark.parametrize("before", [0, 5])
def test_audit_records_stores_exactly_the_events_and_hashes_of_audit_record_one_by_one(
    world: Any, before: int, django_assert_max_num_queries: Any
) -> None:
    """Issue 21: a signing round appends thousands of events in bulk; the chain must be the very one that
    audit_record would have written, event by event, after whatever head the chain has."""
    from core.request_id import request_id_scope

    if before:
        build_chain(world, random.Random(SEED + 7), before)
    entries = varied_entries(world, random.Random(SEED + 8), 30)
    with request_id_scope("req-bulk-0001"):
        with transaction.atomic():
            for entry in entries:
                audit_record(**entry)
            one_by_one = [row_of(event) for event in AuditEvent.objects.filter(id__gt=before).order_by("id")]
            transaction.set_rollback(True)
        assert AuditEvent.objects.count() == before
        with django_assert_max_num_queries(3):  # (the chain's lock,) its head, one insert
            returned = audit_records(entries)
    together = [row_of(event) for event in AuditEvent.objects.filter(id__gt=before).order_by("id")]
    assert len(together) == 30 and together == one_by_one
    assert [row_of(event) for event in returned] == together
    assert together[0]["request_id"] == "req-bulk-0001"
    assert verify_chain().ok and verify_chain().checked == before + 30
    assert audit_records([]) == []


def test_an_event_with_floats_in_its_data_still_verifies_after_the_database_round_trip(world: Any) -> None:
    audit_record(actor=None, action="x.test", obj=world.org_a, after={"big": 1e16, "zero": -0.0, "small": 1e-7})

    assert verify_chain().ok


def test_200_random_mutations_are_all_detected_except_the_tail_which_only_an_anchor_reveals(world: Any) -> None:
    rng = random.Random(SEED)
    user_ids = [user.pk for user in world.users.values()]
    kinds = [*NON_TAIL, *TAIL]
    outcome: Counter[tuple[str, str]] = Counter()
    misses: list[tuple[str, Any, int]] = []
    done = 0

    while done < MUTATIONS:
        with rolled_back():  # a fresh chain for every 20 mutations
            events = build_chain(world, rng, rng.randint(5, 30))
            anchor = (events[-1].pk, events[-1].hash)
            for _ in range(min(20, MUTATIONS - done)):
                mutation = rng.choice(kinds)
                with tampering():
                    fresh = list(AuditEvent.objects.order_by("id"))  # mutations edit the objects they are given
                    assert [e.hash for e in fresh] == [e.hash for e in events]
                    expected_first_bad = mutation(fresh, rng, user_ids)
                    plain, anchored = verify_chain(), verify_chain(anchor=anchor)
                done += 1
                name = mutation.__name__
                if mutation in NON_TAIL:
                    outcome[(name, "detected" if not plain.ok else "MISSED")] += 1
                    if plain.ok or plain.first_bad_id != expected_first_bad:
                        misses.append((name, plain, expected_first_bad))
                else:
                    outcome[(name, "without anchor: " + ("detected" if not plain.ok else "not detected"))] += 1
                    outcome[(name, "with anchor: " + ("detected" if not anchored.ok else "not detected"))] += 1
                    if mutation is not append_a_well_formed_event and (
                        anchored.ok or anchored.first_bad_id != expected_first_bad
                    ):
                        misses.append((name, anchored, expected_first_bad))
            assert verify_chain().ok  # every mutation was rolled back

    non_tail = sum(n for (kind, _), n in outcome.items() if kind in {m.__name__ for m in NON_TAIL})
    detected = sum(n for (kind, result), n in outcome.items() if result == "detected")
    print(f"\ntamper detection ({MUTATIONS} mutations, seed {SEED}): non-tail {detected}/{non_tail} detected")
    for (kind, result), n in sorted(outcome.items()):
        print(f"  {kind:40} {result:28} {n}")
    assert misses == []
    assert detected == non_tail > 0
    assert outcome[("truncate_the_tail", "with anchor: detected")] > 0
    assert outcome[("forge_the_newest_event_and_its_hash", "with anchor: detected")] > 0


@pytest.mark.parametrize("column", EDITABLE_COLUMNS)
def test_editing_any_single_column_of_an_event_with_raw_sql_is_detected_at_that_event(world: Any, column: str) -> None:
    events = build_chain(world, random.Random(SEED), 6)
    user_ids = [user.pk for user in world.users.values()]
    target = events[3]

    with tampering():
        set_columns(target.pk, {column: changed_value(column, row_of(target)[column], random.Random(1), user_ids)})
        report = verify_chain()

    assert (report.ok, report.first_bad_id) == (False, target.pk)


# --- append-only ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "attempt",
    [
        lambda: AuditEvent.objects.update(reason="x"),
        lambda: AuditEvent.objects.filter(pk=1).update(reason="x"),
        lambda: AuditEvent.objects.all().delete(),
        lambda: AuditEvent.objects.filter(action="terms.published").delete(),
        lambda: AuditEvent.objects.bulk_update([AuditEvent.objects.get(pk=1)], ["reason"]),
        lambda: AuditEvent.objects.update_or_create(pk=1, defaults={"reason": "x"}),
        lambda: AuditEvent.objects.get(pk=1).save(),
        lambda: AuditEvent.objects.get(pk=1).save(update_fields=["reason"]),
        lambda: AuditEvent.objects.get(pk=1).delete(),
    ],
    ids=[
        "queryset_update",
        "filtered_update",
        "queryset_delete",
        "filtered_delete",
        "bulk_update",
        "update_or_create",
        "instance_save",
        "instance_save_update_fields",
        "instance_delete",
    ],
)
def test_the_application_cannot_change_or_remove_an_audit_event(world: Any, attempt: Callable[[], Any]) -> None:
    build_chain(world, random.Random(SEED), 3)
    before = list(AuditEvent.objects.order_by("id").values())

    with pytest.raises(AppendOnlyError), transaction.atomic():
        attempt()

    assert list(AuditEvent.objects.order_by("id").values()) == before
    assert verify_chain().ok


def test_a_person_who_acted_cannot_be_deleted_out_from_under_the_trail(world: Any) -> None:
    audit_record(actor=world["admin_a"], action="x.test", obj=world.org_a)

    with pytest.raises(ProtectedError), transaction.atomic():
        world["admin_a"].delete()

    assert AuditEvent.objects.get().actor == world["admin_a"]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the append-only trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET reason = 'endret' WHERE id = 1",  # noqa: S608
        f"UPDATE {TABLE} SET hash = hash",  # noqa: S608
        f"DELETE FROM {TABLE} WHERE id = 2",  # noqa: S608
        f"DELETE FROM {TABLE}",  # noqa: S608
    ],
)
def test_on_postgresql_the_database_itself_refuses_raw_update_and_delete(world: Any, sql: str) -> None:
    build_chain(world, random.Random(SEED), 3)
    before = list(AuditEvent.objects.order_by("id").values())

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute(sql)

    assert list(AuditEvent.objects.order_by("id").values()) == before


# --- the commands --------------------------------------------------------------------------------------------------


def test_verify_audit_chain_exits_0_on_an_intact_chain(world: Any, manage: Any) -> None:
    events = build_chain(world, random.Random(SEED), 7)

    code, out, err = manage("verify_audit_chain")

    assert (code, err) == (0, "")
    assert f"Audit chain intact: 7 events, head #7 {events[-1].hash}." in out


@pytest.mark.parametrize(
    ("mutation", "bad_id", "problem"),
    [
        (lambda: set_columns(3, {"reason": "endret i ettertid"}), 3, "content does not match its hash"),
        (lambda: delete_rows([4]), 5, "ids jump from 3 to 5"),
        (lambda: set_columns(5, {"prev_hash": random_hash()}), 5, "does not follow the previous event's hash"),
    ],
    ids=["altered", "deleted", "relinked"],
)
def test_verify_audit_chain_exits_non_zero_and_names_the_first_bad_event(
    world: Any, manage: Any, mutation: Callable[[], None], bad_id: int, problem: str
) -> None:
    build_chain(world, random.Random(SEED), 7)

    with tampering():
        mutation()
        code, out, err = manage("verify_audit_chain")
        with pytest.raises(CommandError, match=f"#{bad_id}"):
            call_command("verify_audit_chain")

    assert code == 1
    assert f"Audit chain BROKEN at event #{bad_id}: {problem}" in err
    assert "intact" not in out


def test_a_truncated_tail_passes_without_an_anchor_and_fails_with_one(world: Any, manage: Any, tmp_path: Path) -> None:
    events = build_chain(world, random.Random(SEED), 9)
    anchor = tmp_path / "audit-anchor.txt"
    assert manage("anchor_audit_chain", str(anchor))[0] == 0
    assert anchor.read_text().split()[:2] == ["9", events[-1].hash]

    with tampering():
        delete_rows([9, 8])
        without = manage("verify_audit_chain")
        with_anchor = manage("verify_audit_chain", "--anchor", str(anchor))

    assert without[0] == 0  # a shorter chain is a valid chain: the limitation the anchor exists for
    assert with_anchor[0] == 1
    assert "Audit chain BROKEN at event #9: the anchored head is missing: events were removed" in with_anchor[2]


def test_an_emptied_table_or_a_rewritten_head_is_caught_by_the_anchor(world: Any, manage: Any, tmp_path: Path) -> None:
    events = build_chain(world, random.Random(SEED), 5)
    anchor = tmp_path / "audit-anchor.txt"
    manage("anchor_audit_chain", str(anchor))

    with tampering():
        delete_rows([e.pk for e in events])
        assert manage("verify_audit_chain")[0] == 0
        emptied = manage("verify_audit_chain", "--anchor", str(anchor))
    with tampering():
        forge_the_newest_event_and_its_hash(list(events), random.Random(0), [])
        assert manage("verify_audit_chain")[0] == 0
        rewritten = manage("verify_audit_chain", "--anchor", str(anchor))

    assert emptied[0] == rewritten[0] == 1
    assert "#5" in emptied[2]
    assert "#5: differs from the anchored head" in rewritten[2]


def test_anchoring_refuses_an_empty_or_broken_chain_and_a_bad_anchor_file_is_reported(
    world: Any, manage: Any, tmp_path: Path
) -> None:
    anchor = tmp_path / "audit-anchor.txt"
    # A new installation: nothing to anchor yet, and not an error (the scheduler runs it every night).
    code, out, _err = manage("anchor_audit_chain", str(anchor))
    assert (code, "nothing to anchor yet" in out) == (0, True)
    assert not anchor.exists()
    # An empty chain where anchors were written before: every event was deleted.
    anchor.write_text("3 " + "a" * 64 + " 2026-01-01T00:00:00+00:00\n")
    code, _out, err = manage("anchor_audit_chain", str(anchor))
    assert code == 1 and "its events were deleted" in err
    anchor.unlink()

    build_chain(world, random.Random(SEED), 4)
    with tampering():
        set_columns(2, {"actor_label": "Noen Andre <x@example.no>"})
        code, _out, err = manage("anchor_audit_chain", str(anchor))
    assert code == 1
    assert "Not anchoring a broken chain: event #2" in err
    assert not anchor.exists()

    garbage = tmp_path / "garbage.txt"
    garbage.write_text("not an anchor\n")
    for path in (garbage, tmp_path / "missing.txt"):
        code, _out, err = manage("verify_audit_chain", "--anchor", str(path))
        assert code == 1
        assert "Cannot read the anchor file" in err
