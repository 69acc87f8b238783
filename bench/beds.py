"""Beds and transfers: `python -m bench.beds` (PostgreSQL from DATABASE_URL; the database is
re-created).

A synthetic city (default 20,000 residents), every one of them a patient waiting (severity,
age and needs mixed as in an outbreak's worst week: most mild, a tenth contacts for quarantine,
a few critical, one in fifty on dialysis), and 200 facilities (60 designated hospitals, 40
Fangcang field hospitals, 100 quarantine hotels) around the city. Measured:

- the day's plan end to end: headquarters proposes (the waiting list brought up to date from
  health's records, load, the solvers' ``beds`` model, the lines saved) and opens the proposal
  page, through the test client;
- a hospital's bed update through the API (``POST /api/v1/beds/facilities/{code}/beds``, a
  count of two bed types; 300 in a row, median and p99);
- a district's progress round on one line (``check_report_progress``: picked up, or admitted
  with the bed taken), for up to 1,000 lines of the confirmed plan, one after another;
- the plan's progress per district for the city (``GET /api/v1/beds/plans/{id}/progress``)
  after those rounds.

The issue's goals: under 10 s, under 50 ms p99, under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

from bench.__main__ import fresh_postgres, machine, publish, time_requests

BASE = (28.19, 112.98)


def _facilities(city) -> list:
    from fangkong.beds.services import save_facility

    rng = random.Random(3)
    kinds = (
        [("designated", {"icu": 15, "ward": 120})] * 60
        + [("fangcang", {"fangcang": 400})] * 40
        + [("quarantine", {"quarantine": 60})] * 100
    )
    made = []
    for i, (kind, capacity) in enumerate(kinds):
        made.append(
            save_facility(
                code=f"F{i:03d}",
                name=f"机构{i:03d}",
                kind=kind,
                region=city,
                lat=BASE[0] + rng.uniform(-0.3, 0.3),
                lon=BASE[1] + rng.uniform(-0.3, 0.3),
                capacity=capacity,
                dialysis=kind == "designated" and i % 3 == 0,
                children=kind == "quarantine" and i % 2 == 0,
            )
        )
    return made


def _patients(n: int, city) -> int:
    """Every resident a confirmed case or (one in ten) a contact in central quarantine, written
    to health's tables in batches; taken onto the waiting list once (the morning's list), then
    triaged: severity, age and needs mixed, each at their own place around the city."""
    import datetime as dt

    from django.utils import timezone

    from fangkong.beds.models import Patient
    from fangkong.beds.services import save_pickup_point, take_in_waiting
    from fangkong.health.models import Case, Observation
    from fangkong.people.models import Person

    rng = random.Random(4)
    today = timezone.localdate()
    people = list(Person.objects.values_list("pk", "region_path")[:n])
    cases, watched = [], []
    for pk, path in people:
        if rng.random() < 0.1:
            watched.append(
                Observation(
                    person_id=pk,
                    region_path=path,
                    kind="central_quarantine",
                    reason="密接",
                    start_on=today,
                    end_on=today + dt.timedelta(days=6),
                )
            )
        else:
            cases.append(
                Case(person_id=pk, region_path=path, classification="confirmed", report_on=today)
            )
    Case.objects.bulk_create(cases, batch_size=5000)
    Observation.objects.bulk_create(watched, batch_size=5000)
    save_pickup_point(region=city, name=city.name, lat=BASE[0], lon=BASE[1])
    take_in_waiting()
    now = timezone.now()
    rows = list(Patient.objects.filter(source="case"))
    for p in rows:
        r = rng.random()
        p.severity = (
            "critical" if r < 0.02 else "severe" if r < 0.08 else "moderate" if r < 0.3 else "mild"
        )
        p.age = rng.randint(1, 95)
        p.needs = ["dialysis"] if rng.random() < 0.02 else []
        p.lat = BASE[0] + rng.uniform(-0.35, 0.35)
        p.lon = BASE[1] + rng.uniform(-0.35, 0.35)
        p.since_at = now - dt.timedelta(hours=rng.uniform(0, 48))
    Patient.objects.bulk_update(
        rows, ["severity", "age", "needs", "lat", "lon", "since_at"], batch_size=5000
    )
    return Patient.objects.filter(status="waiting").count()


def _ms(f, n: int) -> tuple[float, float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        f()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return samples[len(samples) // 2], samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=20_000, help="all of them waiting")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    pg_version = fresh_postgres()
    if pg_version is None:
        return 2
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from fangkong.accounts.choices import Role
    from fangkong.accounts.scope import scope_of
    from fangkong.accounts.services import create_user
    from fangkong.beds.models import Line, Plan
    from fangkong.beds.services import (
        assign_operator,
        check_confirm_plan,
        check_report_progress,
    )
    from fangkong.ops.city import generate_city
    from fangkong.ops.load import load_city
    from fangkong.regions.models import Region

    load_city(generate_city(residents=args.residents, seed=1))
    city = Region.objects.filter(level="city").get()
    facilities = _facilities(city)
    waiting = _patients(args.residents, city)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    hq = create_user(username="hq", password="bench-pw", role=Role.HEADQUARTERS, scope_region=city)
    operator = create_user(
        username="hospital", password="bench-pw", role=Role.HOSPITAL, scope_region=city
    )
    assign_operator(facility=facilities[0], user=operator)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(hq)
    started = time.perf_counter()
    response = client.post(reverse("beds:propose"))
    proposed = time.perf_counter() - started
    plan = Plan.objects.get()
    page_started = time.perf_counter()
    assert client.get(response["Location"]).status_code == 200
    shown = time.perf_counter() - page_started
    total = time.perf_counter() - started
    placed = plan.lines.exclude(status="unplaced").count()
    check_confirm_plan(scope=scope_of(hq), user=hq, plan=plan)
    lines = list(
        Line.objects.filter(plan=plan, status="confirmed").order_by("pk")[: min(placed // 3, 1000)]
    )
    it = iter(enumerate(lines))

    def one_round():
        i, line = next(it)
        status = "picked_up" if i % 3 else "admitted"
        check_report_progress(scope=scope_of(hq), user=hq, line=line, status=status)

    rounds = _ms(one_round, len(lines))
    progress = time_requests(client, reverse("api:plan_progress", args=[plan.pk]), 100)
    keeper = Client(HTTP_HOST="127.0.0.1")
    keeper.force_login(operator)
    url = reverse("api:report_beds", args=[facilities[0].code])
    rng = random.Random(5)

    def update():
        r = keeper.post(
            url,
            {
                "beds": [
                    {"bed_type": "icu", "occupied": rng.randint(0, 10), "blocked": 1},
                    {"bed_type": "ward", "occupied": rng.randint(0, 100), "blocked": 2},
                ]
            },
            content_type="application/json",
        )
        assert r.status_code == 200, r.content

    for _ in range(10):
        update()
    bed = _ms(update, 300)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = "\n".join(
        [
            f"## Beds {stamp} — {machine()}, PostgreSQL {pg_version}, load average "
            f"{os.getloadavg()[0]:.1f} at the end (a shared machine: figures scale with it)",
            "",
            f"{waiting:,} patients waiting × {len(facilities)} facilities (60 hospitals, 40 "
            f"Fangcang, 100 quarantine hotels); the proposal placed {placed:,} "
            f"(the solver alone: see bench.solvers).",
            "",
            "| measure | figure | goal |",
            "|---|---:|---:|",
            f"| plan end to end: propose (load, solve, save {waiting:,} lines) and show the "
            f"proposal page | {total:.2f} s (propose {proposed:.2f} s, page {shown * 1000:.0f} "
            f"ms) | < 10 s |",
            f"| a hospital's bed update through the API, 300 in a row | median {bed[0]:.1f} ms, "
            f"p99 {bed[1]:.1f} ms | p99 < 50 ms |",
            f"| a district's progress round on one line (picked up, or admitted: the bed "
            f"taken), {len(lines):,} in a row | median {rounds[0]:.1f} ms, p99 {rounds[1]:.1f} ms "
            f"| — |",
            f"| the plan's progress per district for the city, after those rounds, 100 "
            f"requests | median {progress['median_ms']:.1f} ms, p99 "
            f"{progress['p99_ms']:.1f} ms | < 100 ms |",
            "",
        ]
    )
    publish(text, write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
