"""Sampling benchmark: `python -m bench.sampling` (PostgreSQL from DATABASE_URL; the database
is re-created; needs wrk, which `make bench` installs).

With N residents (default 100,000; `--residents`), a campaign of the first district, 10 swabs a
tube, with most of the district already swabbed (COPY):

1. A sampling scan — one person into a tube, `POST /api/v1/screening/swabs` with one record and
   its client id, through the full stack (bearer token, scope, the tube locked, the repeat
   check, the insert, the tube closing at ten) — from 200 phones at once, each on its own tube
   and its own keep-alive connection: 200 threads here, each starting at a random moment and
   scanning every 10 s (a sampler's pace: a swab takes 10–20 s) or every second, ±50 %; then
   wrk with 200 connections and no pause at all (the server saturated: its throughput).
2. The coverage of the district: the campaign's page (coverage, a row per street, the capacity
   plan) for district staff, and `GET /campaigns/{id}/coverage`; median and p99, with
   PostgreSQL's JIT as configured and with `SET jit = off`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
import uuid

from bench.__main__ import fresh_postgres, machine, paced_clients, publish, seed, time_requests
from bench.health import _server, _wrk

PHONES = 200
PORT = 8741  # not bench.health's: the benchmarks may run side by side on a shared machine
POOL = 10
SWABBED_SHARE = 0.7  # of the district, before the scans start
LUA = """
local ids = {%(ids)s}
local token = "%(token)s"
local first_tube = %(first_tube)d
local tubes_per_thread = %(tubes_per_thread)d
local pause = %(pause)d
local counter = 0
local started = 0
-- each wrk thread its own range of tubes (``base`` becomes a global of the thread) and its own
-- random client ids (seeded apart: the same seed would send the same ids from both threads)
function setup(thread)
  thread:set("base", started * tubes_per_thread)
  started = started + 1
end
function init(args)
  math.randomseed(os.time() * 1000 + base)
end
local function uuid4()
  return string.format("%%08x-%%04x-4%%03x-%%04x-%%012x", math.random(0, 0xffffffff),
    math.random(0, 0xffff), math.random(0, 0xfff), math.random(0x8000, 0xbfff),
    math.random(0, 0xffffffffffff))
end
-- 100 phones a thread, each on its own tube: swab n goes to phone n %% 100, whose tube takes
-- ten swabs (one a round) before the phone moves to its next tube.
request = function()
  local phone = counter %% 100
  local round = math.floor(counter / 100)
  local tube = first_tube + base + phone + 100 * math.floor(round / %(pool)d)
  local person = ids[((base + counter * 7) %% #ids) + 1]
  counter = counter + 1
  local body = string.format('{"tube": %%d, "records": [{"client_id": "%%s", "person_id": %%d}]}',
    tube, uuid4(), person)
  return wrk.format("POST", "/api/v1/screening/swabs",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
function delay()
  return pause
end
"""


def _campaign_and_sampler():
    """The district's campaign (10 a tube, today) and a sampler of the district with a token."""
    from django.utils import timezone

    from fangkong.accounts.choices import Role
    from fangkong.accounts.models import User
    from fangkong.accounts.services import issue_token
    from fangkong.ops.demo import ensure_demo_accounts
    from fangkong.screening.services import check_create_campaign

    accounts = {a.username: a for a in ensure_demo_accounts()}
    district = accounts["district"].region
    campaign = check_create_campaign(
        user=None,
        scope=None,
        region=district,
        start_on=timezone.localdate(),
        pool_size=POOL,
        name="bench",
    )
    sampler = User.objects.create(
        username="bench-sampler", role=Role.COMMUNITY, scope_region=district
    )
    return campaign, issue_token(user=sampler, name="bench")


def _swab_most_of_the_district(campaign, rng: random.Random) -> list[int]:
    """SWABBED_SHARE of the district's residents in closed tubes of ten (COPY); the others'
    ids, who the phones then swab."""
    from django.db import connection, transaction
    from django.utils import timezone

    from fangkong.common.db import BulkWriter, reserve_ids
    from fangkong.people.models import Person
    from fangkong.screening.choices import SampleSource, TubeStatus
    from fangkong.screening.models import (
        BULK_SAMPLE_FIELDS,
        BULK_TUBE_FIELDS,
        Sample,
        Tube,
    )

    people = list(
        Person.objects.filter(region_path__startswith=campaign.region_path)
        .order_by("id")
        .values_list("id", "region_path")
    )
    rng.shuffle(people)
    cut = int(len(people) * SWABBED_SHARE)
    swabbed, left = people[:cut], people[cut:]
    now = timezone.now()
    tubes, samples = BulkWriter(Tube, BULK_TUBE_FIELDS), BulkWriter(Sample, BULK_SAMPLE_FIELDS)
    groups = [swabbed[i : i + POOL] for i in range(0, len(swabbed), POOL)]
    tube_ids = reserve_ids(Tube, len(groups))
    sample_ids = iter(reserve_ids(Sample, len(swabbed)))
    for tube_id, group in zip(tube_ids, groups, strict=True):
        tube = {
            "id": tube_id,
            "campaign": campaign.pk,
            "barcode": f"B{tube_id:09d}",
            "pool_size": POOL,
            "status": TubeStatus.CLOSED,
            "lab": "",
            "region_path": campaign.region_path,
            "opened_at": now,
            "closed_at": now,
        }
        tubes.rows.append(tuple(tube[f] for f in BULK_TUBE_FIELDS))
        for pid, path in group:
            sample = {
                "id": next(sample_ids),
                "client_id": uuid.uuid4(),
                "campaign": campaign.pk,
                "tube": tube_id,
                "person": pid,
                "region_path": path,
                "sampled_at": now,
                "point": None,
                "repeat": False,
                "source": SampleSource.IMPORT,
                "created_at": now,
            }
            samples.rows.append(tuple(sample[f] for f in BULK_SAMPLE_FIELDS))
    with transaction.atomic():
        tubes.flush()
        samples.flush()
    from fangkong.screening.services.counters import recount

    recount(campaign_id=campaign.pk)  # written around the services: counted as the command does
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return [pid for pid, _path in left]


def _open_tubes(campaign, n: int) -> int:
    """``n`` empty open tubes with consecutive ids for the phones; the first id."""
    from django.db import transaction
    from django.utils import timezone

    from fangkong.common.db import BulkWriter, reserve_ids
    from fangkong.screening.choices import TubeStatus
    from fangkong.screening.models import BULK_TUBE_FIELDS, Tube

    ids = reserve_ids(Tube, n)
    assert ids == list(range(ids[0], ids[0] + n)), "tube ids are not consecutive"
    now = timezone.now()
    writer = BulkWriter(Tube, BULK_TUBE_FIELDS)
    for pk in ids:
        tube = {
            "id": pk,
            "campaign": campaign.pk,
            "barcode": f"P{pk:09d}",
            "pool_size": POOL,
            "status": TubeStatus.OPEN,
            "lab": "",
            "region_path": campaign.region_path,
            "opened_at": now,
            "closed_at": None,
        }
        writer.rows.append(tuple(tube[f] for f in BULK_TUBE_FIELDS))
    with transaction.atomic():
        writer.flush()
    return ids[0]


def _phones(token: str, ids: list[int], seconds: int, pause: float, campaign) -> dict:
    """PHONES phones (``paced_clients``), each with its own tube after tube, scanning every
    ``pause`` s ±50 %."""
    per_phone = math.ceil(seconds / (pause * 0.5)) + 1
    first = _open_tubes(campaign, PHONES * (per_phone // POOL + 1))
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    def scan(i: int, n: int, _rng) -> tuple:
        record = {"client_id": str(uuid.uuid4()), "person_id": ids[(i * 7919 + n * 613) % len(ids)]}
        body = json.dumps({"tube": first + i + PHONES * (n // POOL), "records": [record]})
        return "POST", "/api/v1/screening/swabs", body, headers

    return paced_clients(PHONES, PORT, seconds, pause, scan)


def _flat_out(token: str, ids: list[int], seconds: int, campaign) -> dict:
    """wrk, PHONES connections with no pause, on fresh tubes."""
    tubes = max(int(2000 * seconds / POOL) + PHONES * 2, 2000)  # room for 2,000 scans/s
    first = _open_tubes(campaign, tubes)
    script = LUA % {
        "ids": ", ".join(map(str, ids)),
        "token": token,
        "first_tube": first,
        "tubes_per_thread": tubes // 2,
        "pause": 0,
        "pool": POOL,
    }
    result = _wrk(script, seconds, PHONES, PORT)
    _drained()
    return result


def _drained() -> None:
    """Wait until the server has answered what wrk left queued when it stopped (up to 200
    requests), so that they count in neither the next run's swabs nor its latencies."""
    from fangkong.screening.models import Sample

    last = -1
    while (now := Sample.objects.count()) != last:
        last = now
        time.sleep(1.0)


def _stored(scans) -> dict:
    """What the server stored during a run, beside what was sent."""
    from fangkong.screening.choices import SampleSource
    from fangkong.screening.models import Sample

    before = Sample.objects.filter(source=SampleSource.API).count()
    result = scans()
    result["stored"] = Sample.objects.filter(source=SampleSource.API).count() - before
    return result


def _coverage(campaign, requests: int) -> dict[str, dict[str, float]]:
    """The district's campaign page and coverage API, with PostgreSQL's JIT as the server has
    it, then with ``SET jit = off`` on this connection."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    district = get_user_model().objects.get(username="district")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(district)
    name = campaign.region.name
    with connection.cursor() as cur:
        cur.execute("SHOW jit")
        jit = cur.fetchone()[0]
    out = {}
    for label in (f"jit {jit}", "jit off"):
        if label == "jit off":
            with connection.cursor() as cur:
                cur.execute("SET jit = off")
        page = reverse("screening:campaign", args=[campaign.pk])
        api = reverse("api:campaign_coverage", args=[campaign.pk])
        out[f"campaign page of {name} (coverage, a row per street, capacity plan), {label}"] = (
            time_requests(client, page, requests)
        )
        out[f"GET /api/v1/screening/campaigns/{{id}}/coverage for {name}, {label}"] = time_requests(
            client, api, requests
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    pg_version = fresh_postgres()
    if pg_version is None:
        return 2
    seeded = seed(args.residents)
    campaign, token = _campaign_and_sampler()
    ids = _swab_most_of_the_district(campaign, random.Random(5))
    from fangkong.screening.selectors import target_of

    target = target_of(campaign, campaign.region_path).count()
    env = dict(
        os.environ,
        FANGKONG_CACHE_URL=os.environ.get("FANGKONG_CACHE_URL", "redis://127.0.0.1:6379/5"),
    )
    server = _server(env, PORT)
    try:
        _flat_out(token, ids, 3, campaign)  # warm up
        runs = {
            "each scanning every 10 s ±50 % (a sampler's pace)": _stored(
                lambda: _phones(token, ids, max(args.seconds, 30), 10.0, campaign)
            ),
            "each scanning every second ±50 %": _stored(
                lambda: _phones(token, ids, args.seconds, 1.0, campaign)
            ),
            "wrk, no pause (the server saturated)": _stored(
                lambda: _flat_out(token, ids, args.seconds, campaign)
            ),
        }
    finally:
        server.terminate()
        server.wait()
    for run in runs.values():
        if run["errors"]:
            raise RuntimeError(f"{run['errors']} scans failed")
    timings = _coverage(campaign, args.requests)

    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        f"## {stamp} — sampling scans and coverage — {machine()}, PostgreSQL {pg_version}",
        "",
        f"{seeded['residents']:,} residents; a campaign of {campaign.region.name} ({target:,} "
        f"to test, {POOL} a tube), {SWABBED_SHARE:.0%} of them already swabbed (COPY). A scan "
        "is one person into a tube (`POST /api/v1/screening/swabs`, one record with its client "
        "id; bearer token, scope, the tube locked, the repeat check, the insert, the tube closing "
        f"at {POOL}) from {PHONES} phones at once, each on its own tube and connection "
        "(`fangkong serve --workers 2 --threads 2`): phones as threads of the benchmark, each "
        "starting at a random moment, for 30 s and "
        f"{args.seconds} s; then wrk, {PHONES} connections, no pause, {args.seconds} s:",
        "",
        "| 200 phones | scans/s | p50 ms | p99 ms | scans sent | swabs stored |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {k} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['requests']:,} | "
        f"{r['stored']:,} |"
        for k, r in runs.items()
    ]
    lines += [
        "",
        "Goal: a scan under 50 ms p99 at 200 concurrent phones. Coverage of the district, full "
        f"middleware stack, {args.requests} requests each (goal: under 200 ms):",
        "",
        "| screen | median ms | p99 ms |",
        "|---|---:|---:|",
    ]
    lines += [f"| {k} | {v['median_ms']:.1f} | {v['p99_ms']:.1f} |" for k, v in timings.items()]
    publish("\n".join(lines) + "\n", write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
