"""Signing under load (issue 21, part 3): signatories of different organisations signing the membership terms at
once through gunicorn, against rendering and sealing the same agreements in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/sign.py [--signers 32] --write

At national scale (bench/load.py), ``--signers`` people, each the signatory of a different organisation that
has not signed its current terms (a staff-recorded authority, so that no register is asked), open the signing
page, and then all post the signing form at the same moment: the password step-up, the agreement rendered,
sealed as PAdES with a timestamp from the local authority (``manage.py run_timestamp_authority``), stored, the
membership changed and the receipt queued in the outbox. The POST is timed until its answer. ``--rounds``
rounds, each with organisations of its own.

The floor, in the same run: the same agreements (same version, organisation, signer, basis and time) rendered
and sealed with the same timestamp authority by ``os.cpu_count()`` processes in parallel, with no web,
database or queue. Afterwards every stored PDF is verified (pyHanko, against the portal's trust roots, and
recognised as the portal's own agreement) and the signatures are counted per organisation in the database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import (
    PYTHON,
    ROOT,
    database_url,
    ensure_database,
    free_port,
    load_average,
    machine,
    prepare,
    server_env,
    start_server,
    wait_for_port,
    warm_up,
    write_block,
)
from publish import CSRF_INPUT, Browser, django_setup, percentile

PASSWORD = "bench-signatory-password-2026"  # noqa: S105 - throwaway accounts of the benchmark's database
HIDDEN = r'name="{}" value="([^"]*)"'


def signatories(count: int) -> list[Any]:
    """``count`` password accounts of the benchmark (made once, kept for later runs)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    people = []
    for n in range(count):
        user, created = User.objects.get_or_create(
            email=f"signer-{n:03d}@bench.test", defaults={"full_name": f"Signatar {n:03d} Benk", "is_active": True}
        )
        if created or not user.check_password(PASSWORD):
            user.set_password(PASSWORD)
            user.save()
        people.append(user)
    return people


def organisations_to_sign(count: int) -> list[tuple[Any, Any]]:
    """``count`` active enterprises of seed_scale with no signature on their current terms: (organisation, version)."""
    from memberships.models import Signature, TermsVersion
    from organisations.choices import RegisterStatus, Source
    from organisations.models import Organisation

    chosen: list[tuple[Any, Any]] = []
    for form in ("AS", "ENK"):
        version = TermsVersion.objects.current_for(form)
        if version is None:
            continue
        signed = Signature.objects.filter(terms_version=version).values("organisation_id")
        candidates = (
            Organisation.objects.filter(
                source=Source.DEMO, org_number__startswith="92", form=form, register_status=RegisterStatus.ACTIVE
            )
            .exclude(pk__in=signed)
            .exclude(roles__isnull=False)
            .order_by("?")[: count - len(chosen)]
        )
        chosen += [(organisation, version) for organisation in candidates]
        if len(chosen) >= count:
            break
    if len(chosen) < count:
        raise SystemExit(f"only {len(chosen)} organisations left to sign")
    return chosen


def grant(people: list[Any], organisations: list[tuple[Any, Any]]) -> None:
    """Each person becomes the signatory of one organisation, on a basis NHN staff recorded."""
    from core.roles import OrganisationRoleType, SignatoryBasis
    from organisations.models import OrganisationRole

    for person, (organisation, _version) in zip(people, organisations, strict=True):
        OrganisationRole.objects.create(
            user=person,
            organisation=organisation,
            role=OrganisationRoleType.SIGNATORY,
            signatory_basis=SignatoryBasis.STAFF_OVERRIDE,
            valid_until=dt.date.today() + dt.timedelta(days=30),
            override_reason="bench/sign.py: a signatory of the benchmark",
        )


def session_for(user: Any) -> str:
    """A signed-in session made the way Django's login makes one (a password account: no second factor)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.PortalBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


def sign_round(port: int, work: list[tuple[str, int]]) -> tuple[list[float], list[int], float]:
    """Every (session, organisation) opens its signing page, then all post the form at once: (POST latencies,
    their HTTP statuses, seconds from the first POST to the last answer)."""
    import re

    barrier = threading.Barrier(len(work))
    latencies: list[float] = [0.0] * len(work)
    statuses: list[int] = [0] * len(work)
    starts: list[float] = [0.0] * len(work)
    ends: list[float] = [0.0] * len(work)

    def signer(index: int, session: str, organisation_id: int) -> None:
        browser = Browser(port, session)
        path = f"/memberships/organisations/{organisation_id}/sign/"
        status, page = browser.request("GET", path)
        fields = {name: re.search(HIDDEN.format(name), page) for name in ("terms_version", "terms_sha256")}
        token = CSRF_INPUT.search(page)
        body = {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "password": PASSWORD,
            "confirm": "on",
            **{name: found.group(1) if found else "" for name, found in fields.items()},
        }
        if status != 200 or token is None:
            print(f"signing page for {organisation_id}: HTTP {status}", flush=True)
        barrier.wait()
        starts[index] = time.perf_counter()
        try:
            statuses[index], _text = browser.request("POST", path, body)
        except OSError as exc:
            print(f"signing {organisation_id}: {exc}", flush=True)
        ends[index] = time.perf_counter()
        latencies[index] = ends[index] - starts[index]

    threads = [threading.Thread(target=signer, args=(i, s, o)) for i, (s, o) in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, max(ends) - min(starts)


_FLOOR: list[dict[str, Any]] = []


def _seal_one(index: int) -> float:
    from memberships import documents

    item = _FLOOR[index]
    started = time.perf_counter()
    unsigned = documents.agreement_pdf(
        version=item["version"],
        organisation=item["organisation"],
        signer_name=item["signer_name"],
        basis_text=item["basis_text"],
        signed_at=item["signed_at"],
    )
    documents.seal(unsigned, reason=f"Medlemsavtale {item['version'].label}: {item['organisation'].name}")
    return time.perf_counter() - started


def floor(signatures: list[Any]) -> tuple[float, float, list[float]]:
    """Render and seal the same agreements in ``os.cpu_count()`` forked processes: (seconds, signatures/s, each)."""
    from django.db import connections

    _FLOOR.clear()
    for signature in signatures:
        _FLOOR.append(
            {
                "version": signature.terms_version,
                "organisation": signature.organisation,
                "signer_name": signature.signer_name,
                "basis_text": signature.basis_text,
                "signed_at": signature.signed_at,
            }
        )
    connections.close_all()  # nothing of the database crosses the fork
    context = multiprocessing.get_context("fork")
    with context.Pool(os.cpu_count() or 1) as pool:
        pool.map(_seal_one, range(min(4, len(_FLOOR))))  # warm-up: fonts, the key, the first connection
        started = time.perf_counter()
        each = pool.map(_seal_one, range(len(_FLOOR)), chunksize=1)
        seconds = time.perf_counter() - started
    return seconds, len(_FLOOR) / seconds, each


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--signers", type=int, default=32, help="signatories signing at once (one organisation each)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (4 threads each)")
    parser.add_argument("--enterprises", type=int, default=70_000)
    parser.add_argument("--agreements", type=int, default=500_000)
    parser.add_argument("--audit-events", type=int, default=1_000_000)
    parser.add_argument("--skip-seed", action="store_true", help="the database is loaded already")
    parser.add_argument("--write", action="store_true", help="write the results into docs/benchmarks.md")
    args = parser.parse_args()

    ensure_database(database_url())
    tsa_port = free_port()
    env = server_env(TIMESTAMP_AUTHORITY_URL=f"http://127.0.0.1:{tsa_port}/")
    if not args.skip_seed:
        prepare(env, enterprises=args.enterprises, agreements=args.agreements, audit_events=args.audit_events)
    warm_up(env)
    django_setup(env)
    from core.models import OutboundEmail
    from memberships import documents
    from memberships.models import Signature

    people = signatories(args.signers)
    tsa = subprocess.Popen(
        [PYTHON, "manage.py", "run_timestamp_authority", f"--port={tsa_port}"],
        cwd=ROOT,
        env={**env, "PORTAL_ENV": "development"},
    )
    server = None
    latencies: list[float] = []
    statuses: list[int] = []
    wall = 0.0
    signed_orgs: list[tuple[Any, Any]] = []
    try:
        wait_for_port(tsa_port)
        port = free_port()
        server = start_server(env, port, args.workers)
        load_start = load_average()
        for round_ in range(args.rounds + 1):  # the first round warms up the server: not counted
            organisations = organisations_to_sign(args.signers)
            grant(people, organisations)
            work = [(session_for(person), org.pk) for person, (org, _v) in zip(people, organisations, strict=True)]
            took, answers, seconds = sign_round(port, work)
            print(f"round {round_}: {len(work)} signatures in {seconds:.2f} s, statuses {sorted(set(answers))}")
            if round_:
                latencies += took
                statuses += answers
                wall += seconds
                signed_orgs += organisations
        load_end = load_average()
    except BaseException:
        tsa.terminate()  # the authority is stopped below on success; on an error, here
        tsa.wait(timeout=30)
        raise
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
    try:
        from django.db.models import Q

        wanted = Q(pk__in=[])
        for organisation, version in signed_orgs:
            wanted |= Q(organisation=organisation, terms_version=version)
        signatures = list(
            Signature.objects.filter(wanted).select_related("organisation", "terms_version", "signer").order_by("pk")
        )
        per_org: dict[int, int] = {}
        for signature in signatures:
            per_org[signature.organisation_id] = per_org.get(signature.organisation_id, 0) + 1
        current = {o.pk for o, _v in signed_orgs}
        checks = [documents.verify(bytes(s.signed_pdf)) for s in signatures]
        valid = sum(1 for check in checks if check.genuine)
        levels = sorted({str(check.result.level) for check in checks})
        keys = [f"receipt:{s.pk}:{s.signer.email}" for s in signatures]
        receipts = OutboundEmail.objects.filter(key__in=keys).count()
        floor_seconds, floor_rate, floor_each = floor(signatures)
    finally:
        tsa.terminate()
        tsa.wait(timeout=30)
    rate = len(latencies) / wall if wall else float("nan")
    share = 100 * rate / floor_rate
    p95 = percentile(latencies, 0.95)
    once = sum(1 for pk in current if per_org.get(pk) == 1)
    lines = [
        f"Machine: {machine()}; load average at the start: {load_start}, at the end: {load_end} "
        "(a shared machine: other work ran at the same time).",
        f"Portal: gunicorn {args.workers} workers × 4 threads, production settings, PostgreSQL, Redis, the local "
        "timestamp authority (`manage.py run_timestamp_authority`) on loopback.",
        f"Load: {args.rounds} rounds of {args.signers} signatories of {args.signers} different organisations posting "
        "the signing form at the same moment (password step-up, render, seal PAdES with a timestamp, store, "
        "receipt queued), after one round of warm-up.",
        f"Floor: the same {len(signatures)} agreements rendered and sealed with the same timestamp authority by "
        f"{os.cpu_count()} processes in parallel, no web, database or queue.",
        "",
        "| figure | measured | target |",
        "|---|---:|---|",
        f"| signatures/s through gunicorn | {rate:.1f} ({len(latencies)} in {wall:.1f} s) |  |",
        f"| floor: render + seal in-process | {floor_rate:.1f} ({len(signatures)} in {floor_seconds:.1f} s; each "
        f"p50 {percentile(floor_each, 0.5):.0f} ms) |  |",
        f"| signatures/s / floor | {share:.0f} % | ≥ 50 %: {'met' if share >= 50 else '**not met**'} |",
        f"| signing POST p50 / p95 / max | {percentile(latencies, 0.5):.0f} / {p95:.0f} / "
        f"{max(latencies) * 1000:.0f} ms | p95 < 2 s: {'met' if p95 < 2000 else '**not met**'} |",
        f"| answers | {', '.join(f'HTTP {s}: {statuses.count(s)}' for s in sorted(set(statuses)))} | all 302 |",
        f"| PDFs valid (pyHanko against the portal's trust roots, recognised as the portal's) | {valid} of "
        f"{len(signatures)} ({', '.join(levels)}) | all |",
        f"| organisations with exactly one signature (counted in the database) | {once} of {len(current)} | all |",
        f"| receipts queued in the outbox (to the signer) | {receipts} of {len(signatures)} | all |",
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        command = f"DATABASE_URL=… .venv/bin/python bench/sign.py --signers {args.signers} --rounds {args.rounds}"
        write_block("sign", "Signing under load", command, report)


if __name__ == "__main__":
    main()
