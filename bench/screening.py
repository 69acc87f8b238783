"""Lab results and coverage benchmark: `python -m bench.screening` (PostgreSQL from
DATABASE_URL; re-created).

A city of N residents (default 1,000,000) and one campaign of the whole city: nine in ten
residents swabbed, 10 to a tube, over the last twelve hours (tubes and swabs written with COPY,
then counted from the raw rows as `fangkong screening recount` does, timed), every tube sent to
one lab, a grid worker account per grid. Then, in the same session:

1. A raw COPY of the lab-result rows (tube, lab, result, Ct values, time, source row) into a
   copy of the results table with its indexes: the floor for writing those rows.
2. `import_lab_results` of a lab's CSV (title row, header, one row per tube) reporting
   RESULTS tubes negative (default 28,000), end to end (read, check, COPY, tube statuses,
   coverage counters, audit): rows/s, and the ratio to 1.
3. The same import of 2,000 positive tubes: their results, a retest task for each member
   (20,000), each member under watch by their region's rule, their households flagged; seconds.
4. That file again (every row a duplicate, nothing made): seconds.
5. Coverage of the first district (about two fifths of the city) and of the city, from the
   counters (median of 20 calls) beside the exact query of the raw rows (each person of the
   target probing their swabs; median of 3), at every kind of moment the pages and the daily
   report ask for, the two answers checked equal; and the exact query of a campaign of a tag
   and of one of those under watch (which coverage still counts that way).

Figures print and are appended to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import tempfile
import time
from pathlib import Path

from bench.__main__ import fresh_postgres, machine, publish, seed

POOL = 10
POSITIVE = 2000
LAB = "芙蓉区疾控中心实验室"
SKIPPED = 10  # one resident in SKIPPED is not swabbed
HOURS = 12  # the swabs' times spread over the last HOURS hours


def swab_most() -> tuple[object, list[str]]:
    """One campaign of the city; all but one in SKIPPED residents in tubes of 10 (COPY),
    household by household over the last HOURS hours; tube barcodes."""
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from fangkong.common.db import BulkWriter, analyze, reserve_ids
    from fangkong.people.models import Person
    from fangkong.regions.models import Region
    from fangkong.screening.models import (
        BULK_SAMPLE_FIELDS,
        BULK_TUBE_FIELDS,
        Campaign,
        Sample,
        Tube,
    )

    city = Region.objects.get(level="city")
    now = timezone.now()
    first = now - dt.timedelta(hours=HOURS)
    campaign = Campaign.objects.create(
        name="全员核酸",
        region=city,
        region_path=city.path,
        start_on=timezone.localdate(first),
        end_on=timezone.localdate(now),
        pool_size=POOL,
    )
    everyone = Person.objects.order_by("household_id", "id").values_list("id", "region_path")
    people = [p for i, p in enumerate(everyone) if i % SKIPPED != SKIPPED - 1]
    step = (now - first) / len(people)

    def db(model, name, value):
        return model._meta.get_field(name).get_db_prep_value(value, connection)

    with transaction.atomic():
        tubes = BulkWriter(Tube, BULK_TUBE_FIELDS)
        samples = BulkWriter(Sample, BULK_SAMPLE_FIELDS)
        groups = [people[i : i + POOL] for i in range(0, len(people), POOL)]
        tube_ids = reserve_ids(Tube, len(groups))
        sample_ids = iter(reserve_ids(Sample, len(people)))
        barcodes = []
        import uuid

        for n, (tube_id, group) in enumerate(zip(tube_ids, groups, strict=True)):
            code = f"HX{tube_id:010d}"
            barcodes.append(code)
            at = db(Sample, "sampled_at", first + step * n * POOL)
            t = (tube_id, campaign.pk, code, POOL, "closed", LAB, group[0][1])
            tubes.rows.append((*t, at, at))
            for person_id, path in group:
                samples.rows.append(
                    (
                        next(sample_ids),
                        uuid.uuid4(),
                        campaign.pk,
                        tube_id,
                        person_id,
                        path,
                        at,
                        None,
                        False,
                        "import",
                        db(Sample, "created_at", now),
                    )
                )
        tubes.flush()
        samples.flush()
    analyze(Tube, Sample)
    return campaign, barcodes


def lab_and_workers():
    """The lab (every tube sent to it) and one grid worker account per grid."""
    from django.db import connection, transaction

    from fangkong.accounts.choices import Role
    from fangkong.accounts.models import User
    from fangkong.regions.models import Region
    from fangkong.screening.labmodels import Lab

    district = Region.objects.filter(level="district").order_by("path").first()
    lab = Lab.objects.create(code="LAB1", name=LAB, region=district, region_path=district.path)
    User.objects.bulk_create(
        User(username=f"grid-{g.code}", role=Role.GRID_WORKER, scope_region=g, password="!")
        for g in Region.objects.filter(level="grid")
    )
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO screening_dispatch (tube_id, lab_id, sent_at) "
            "SELECT id, %s, now() FROM screening_tube",
            [lab.pk],
        )
        cur.execute("UPDATE screening_tube SET status = 'sent'")
    return lab


def lab_file(barcodes: list[str], word: str) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([f"{LAB} 新冠病毒核酸检测结果报告"])
    w.writerow(["序号", "样本编号", "检测结果", "ORF1ab", "N", "检测机构", "报告时间"])
    ct = ("28.5", "30.1") if word == "阳性" else ("", "")
    for n, code in enumerate(barcodes, 1):
        w.writerow([n, code, word, *ct, LAB, "2022-04-01 18:30"])
    return out.getvalue().encode("utf-8-sig")


def raw_copy(lab, barcodes: list[str]) -> float:
    """Seconds to COPY the same result rows into a copy of the results table and commit."""
    from django.db import connection, transaction
    from django.utils import timezone

    from fangkong.screening.models import Tube

    ids = dict(Tube.objects.filter(barcode__in=barcodes).values_list("barcode", "id"))
    now = timezone.now()
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE result_probe (LIKE screening_labresult INCLUDING ALL)")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        with cur.cursor.copy(
            "COPY result_probe (id, tube_id, lab_id, result, ct_orf1ab, ct_n, reported_at, "
            "source_row, region_path, created_at) FROM STDIN"
        ) as copy:
            for n, code in enumerate(barcodes, 1):
                copy.write_row((n, ids[code], lab.pk, "negative", None, None, now, n + 2, "", now))
    seconds = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("DROP TABLE result_probe")
    return seconds


def timed_import(data: bytes, lab, tmp: Path, name: str):
    from fangkong.screening.services.results import import_lab_results

    started = time.perf_counter()
    result = import_lab_results(data=data, filename=name, lab=lab, rejects=tmp / f"{name}.rej")
    return time.perf_counter() - started, result


def count_swabs(campaign) -> float:
    """Seconds to count the COPY's swabs into the coverage counters (the recount command)."""
    from fangkong.common.db import analyze
    from fangkong.screening.models import CoverageHour, SampledPerson
    from fangkong.screening.services.counters import recount

    started = time.perf_counter()
    recount(campaign_id=campaign.pk)
    seconds = time.perf_counter() - started
    analyze(SampledPerson, CoverageHour)
    return seconds


def median_ms(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def moments() -> list[tuple[str, object]]:
    """The moments coverage is asked for (a callable: now is read at each call): by the
    campaign page and the API (everything), the report of today (now), a progress round (an
    hour), inside an hour of a past day (a report's trend days at its time of day: the nearer
    part of the hour from who was swabbed then), a trend day (its end)."""
    import datetime as dt

    from django.utils import timezone

    from fangkong.screening.services.counters import hour_of

    hour = hour_of(timezone.now()) - dt.timedelta(hours=3)
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time()))
    return [
        ("everything (campaign page, API, command line)", lambda: None),
        ("now (the daily report and dashboard today)", timezone.now),
        ("an hour, 3 hours ago (a progress round)", lambda: hour),
        ("20 minutes into that hour", lambda: hour + dt.timedelta(minutes=20)),
        ("45 minutes into that hour", lambda: hour + dt.timedelta(minutes=45)),
        ("the start of today (yesterday whole, a trend day)", lambda: midnight),
    ]


def coverage_timings(campaign) -> tuple[object, list[list[str]], list[list[str]]]:
    """The first district's coverage per moment, from the counters and from the raw rows (the
    two checked equal), the whole city's, and the exact query of a tag and a watched campaign;
    rows of the tables."""
    from fangkong.accounts.scope import Cap, Scope
    from fangkong.regions.models import Region
    from fangkong.screening import selectors
    from fangkong.screening.models import Campaign

    city = Region.objects.get(level="city")
    district = Region.objects.filter(level="district").order_by("path").first()
    scope = Scope(user_id=None, role="", path=city.path, caps=frozenset(Cap))
    rows = []
    for label, until in moments():
        moment = until()
        counted = selectors.coverage_values(scope, campaign, district.path, moment)
        exact = selectors.exact_values(scope, campaign, district.path, moment)
        assert counted == exact, label  # the counters' answer is the raw rows' answer
        fast = median_ms(
            lambda u=until: selectors.coverage_values(scope, campaign, district.path, u()), 20
        )
        slow = median_ms(
            lambda u=until: selectors.exact_values(scope, campaign, district.path, u()), 3
        )
        rows.append([label, f"{fast:.1f}", f"{slow:.0f}", f"{slow / fast:.0f}×"])
    api = median_ms(lambda: selectors.coverage(scope, campaign, district), 20)
    rows.append(
        ["the API's answer (`coverage()`: the region and a row per street)", f"{api:.1f}", "", ""]
    )
    fast = median_ms(lambda: selectors.coverage_values(scope, campaign, city.path), 20)
    slow = median_ms(lambda: selectors.exact_values(scope, campaign, city.path), 1)
    rows.append(
        [
            f"the whole city ({city.name}), everything",
            f"{fast:.1f}",
            f"{slow:.0f}",
            f"{slow / fast:.0f}×",
        ]
    )
    others = []
    for target, tag in (("tag", "elderly_alone"), ("watched", "")):
        other = Campaign.objects.create(
            name=f"{target}核酸",
            region=city,
            region_path=city.path,
            start_on=campaign.start_on,
            end_on=campaign.end_on,
            pool_size=POOL,
            target=target,
            target_tag=tag,
        )
        figures = selectors.coverage_values(scope, other, district.path)
        target_n = sum(f.target for f in figures.values())
        ms = median_ms(lambda c=other: selectors.coverage_values(scope, c, district.path), 5)
        others.append(
            [f"{target} ({tag or 'under watch'}), {district.name}", f"{target_n:,}", f"{ms:.0f}"]
        )
    return district, rows, others


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--results", type=int, default=28_000, help="negative tubes reported")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    pg_version = fresh_postgres()
    if pg_version is None:
        return 2
    city = seed(args.residents)
    started = time.perf_counter()
    campaign, barcodes = swab_most()
    copied_s = time.perf_counter() - started
    counted_s = count_swabs(campaign)
    if len(barcodes) <= POSITIVE:
        print(f"need more than {POSITIVE * POOL:,} residents for {POSITIVE:,} positive tubes")
        return 2
    lab = lab_and_workers()
    negative, positive = barcodes[POSITIVE : POSITIVE + args.results], barcodes[:POSITIVE]
    with tempfile.TemporaryDirectory() as tmp:
        copy_s = raw_copy(lab, negative)
        neg_s, neg = timed_import(lab_file(negative, "阴性"), lab, Path(tmp), "negative.csv")
        pos_data = lab_file(positive, "阳性")
        pos_s, pos = timed_import(pos_data, lab, Path(tmp), "positive.csv")
        again_s, again = timed_import(pos_data, lab, Path(tmp), "positive.csv")
    from fangkong.common.db import analyze
    from fangkong.health.models import Observation
    from fangkong.screening.labmodels import HouseholdFlag
    from fangkong.screening.models import CoverageHour, Sample, SampledPerson

    analyze(SampledPerson, CoverageHour, Observation)
    district, cover, others = coverage_timings(campaign)
    from fangkong.people.models import Person

    in_district = Person.objects.filter(region_path__startswith=district.path).count()
    swabs = Sample.objects.count()
    copy_rate, import_rate = len(negative) / copy_s, neg.applied / neg_s
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = "\n".join(
        [
            f"## {stamp} — lab results and coverage — {machine()}, PostgreSQL {pg_version}",
            "",
            f"{city['residents']:,} residents; one campaign of the whole city, {swabs:,} of them "
            f"swabbed in {len(barcodes):,} tubes of {POOL} over the last {HOURS} hours (COPY, "
            f"{copied_s:.0f} s; counted into the coverage counters from the raw rows, as "
            f"`fangkong screening recount` does, in {counted_s:.1f} s: "
            f"{SampledPerson.objects.count():,} persons, {CoverageHour.objects.count():,} "
            "grid-hours); every tube sent to one lab, a grid worker per grid. The machine is "
            "shared with other work: compare the figures of one run.",
            "",
            "| step | rows | seconds | rows/s |",
            "|---|---:|---:|---:|",
            f"| raw COPY of the result rows into a copy of the results table | {len(negative):,} "
            f"| {copy_s:.2f} | {copy_rate:,.0f} |",
            f"| `import labresults`, negative tubes, end to end (with the coverage counters of "
            f"their {len(negative) * POOL:,} people) | {neg.applied:,} | {neg_s:.2f} "
            f"| {import_rate:,.0f} ({copy_rate / import_rate:.1f}× the raw COPY's time) |",
            f"| {POSITIVE:,} positive tubes → results, {pos.retest_tasks:,} retest tasks, "
            f"{Observation.objects.count():,} people under watch, "
            f"{HouseholdFlag.objects.count():,} households flagged | {pos.applied:,} "
            f"| {pos_s:.2f} | {pos.applied / pos_s:,.0f} |",
            f"| the positive file again (all duplicates, {again.retest_tasks} tasks made) "
            f"| {again.duplicates:,} | {again_s:.2f} | {again.duplicates / again_s:,.0f} |",
            "",
            f"Coverage of {district.name} ({in_district:,} residents) in the city's campaign, "
            "`coverage_values` (figures per grid: target, sampled, resulted, positive), no "
            "cache; from the counters (the registry's residents per grid, the campaign's "
            "grid-hours, and inside an hour the persons first counted in its nearer part; median "
            "of 20) beside the exact query of the raw rows (median of 3; the city's: 1), the two "
            "answers equal at every moment (goal: a district under 200 ms at 10,000,000 "
            "residents):",
            "",
            "| coverage as of | counters ms | exact query ms | ratio |",
            "|---|---:|---:|---:|",
            *(f"| {' | '.join(r)} |" for r in cover),
            "",
            "Campaigns of a tag or of those under watch are counted by the exact query (their "
            f"targets are small); {district.name}, median of 5:",
            "",
            "| campaign | target | ms |",
            "|---|---:|---:|",
            *(f"| {' | '.join(r)} |" for r in others),
            "",
        ]
    )
    publish(text, write=not args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
