"""Lab results benchmark: `python -m bench.screening` (PostgreSQL from DATABASE_URL; re-created).

A city of N residents (default 100,000) swabbed 10 to a tube in one campaign (tubes and swabs
written with COPY, untimed), every tube sent to one lab, a grid worker account per grid. Then,
in the same session:

1. A raw COPY of the lab-result rows (tube, lab, result, Ct values, time, source row) into a
   copy of the results table with its indexes: the floor for writing those rows.
2. `import_lab_results` of a lab's CSV (title row, header, one row per tube) reporting all but
   2,000 tubes negative, end to end (read, check, COPY, tube statuses, audit): rows/s, and
   the ratio to 1.
3. The same import of 2,000 positive tubes: their results, a retest task for each member
   (20,000), each member under watch by their region's rule, their households flagged; seconds.
4. That file again (every row a duplicate, nothing made): seconds.

Figures print and are appended to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
from pathlib import Path

from bench.__main__ import fresh_postgres, machine, publish, seed

POOL = 10
POSITIVE = 2000
LAB = "芙蓉区疾控中心实验室"


def swab_everyone() -> tuple[object, list[str]]:
    """One campaign of the district; every resident in a tube of 10 (COPY); tube barcodes."""
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

    district = Region.objects.filter(level="district").order_by("path").first()
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="全员核酸",
        region=district,
        region_path=district.path,
        start_on=today,
        end_on=today,
        pool_size=POOL,
    )
    people = list(Person.objects.order_by("household_id", "id").values_list("id", "region_path"))
    now = timezone.now()

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

        for tube_id, group in zip(tube_ids, groups, strict=True):
            code = f"HX{tube_id:010d}"
            barcodes.append(code)
            t = (tube_id, campaign.pk, code, POOL, "closed", LAB, group[0][1])
            tubes.rows.append((*t, db(Tube, "opened_at", now), db(Tube, "closed_at", now)))
            for person_id, path in group:
                samples.rows.append(
                    (
                        next(sample_ids),
                        uuid.uuid4(),
                        campaign.pk,
                        tube_id,
                        person_id,
                        path,
                        db(Sample, "sampled_at", now),
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    pg_version = fresh_postgres()
    if pg_version is None:
        return 2
    city = seed(args.residents)
    _campaign, barcodes = swab_everyone()
    if len(barcodes) <= POSITIVE:
        print(f"need more than {POSITIVE * POOL:,} residents for {POSITIVE:,} positive tubes")
        return 2
    lab = lab_and_workers()
    negative, positive = barcodes[POSITIVE:], barcodes[:POSITIVE]
    with tempfile.TemporaryDirectory() as tmp:
        copy_s = raw_copy(lab, negative)
        neg_s, neg = timed_import(lab_file(negative, "阴性"), lab, Path(tmp), "negative.csv")
        pos_data = lab_file(positive, "阳性")
        pos_s, pos = timed_import(pos_data, lab, Path(tmp), "positive.csv")
        again_s, again = timed_import(pos_data, lab, Path(tmp), "positive.csv")
    from fangkong.health.models import Observation
    from fangkong.screening.labmodels import HouseholdFlag

    copy_rate, import_rate = len(negative) / copy_s, neg.applied / neg_s
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = "\n".join(
        [
            f"## {stamp} — lab results — {machine()}, PostgreSQL {pg_version}",
            "",
            f"{city['residents']:,} residents in {len(barcodes):,} tubes of {POOL} (one campaign, "
            "every tube sent to one lab, a grid worker per grid). The machine is shared with "
            "other work: compare the figures of one run.",
            "",
            "| step | rows | seconds | rows/s |",
            "|---|---:|---:|---:|",
            f"| raw COPY of the result rows into a copy of the results table | {len(negative):,} "
            f"| {copy_s:.2f} | {copy_rate:,.0f} |",
            f"| `import labresults`, negative tubes, end to end | {neg.applied:,} | {neg_s:.2f} "
            f"| {import_rate:,.0f} ({copy_rate / import_rate:.1f}× the raw COPY's time) |",
            f"| {POSITIVE:,} positive tubes → results, {pos.retest_tasks:,} retest tasks, "
            f"{Observation.objects.count():,} people under watch, "
            f"{HouseholdFlag.objects.count():,} households flagged | {pos.applied:,} "
            f"| {pos_s:.2f} | {pos.applied / pos_s:,.0f} |",
            f"| the positive file again (all duplicates, {again.retest_tasks} tasks made) "
            f"| {again.duplicates:,} | {again_s:.2f} | {again.duplicates / again_s:,.0f} |",
            "",
            "The import's time beside the raw COPY is reading the file and checking every row "
            "in Python, finding the tubes and their stored results, marking the tubes resulted "
            "and the audit entry; the COPY of the rows themselves is the same.",
            "",
        ]
    )
    publish(text, write=not args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
