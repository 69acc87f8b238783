"""Sampling records from elsewhere: a sampling app's export (CSV or .xlsx) into a campaign.

Every row is a swab stored, or one already stored (the same file again), or refused with its
reason in the rejects file (the input's own columns plus 错误原因). People are found by their
document; tubes by barcode — one of this campaign is filled up to its pool size, one of
another campaign is refused. Rows are checked in Python with a few queries per chunk, then
written with COPY (PostgreSQL) or batched inserts, all in one transaction: the rejects file is
written before it commits, so either both exist or neither. Each swab's client id comes from
its tube and person, so importing the same file again changes nothing.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.services import record_audit
from fangkong.common import spreadsheets
from fangkong.common.db import BulkWriter, reserve_ids
from fangkong.people.models import Person

from ..choices import SampleSource, TubeStatus
from ..models import (
    BULK_SAMPLE_FIELDS,
    BULK_TUBE_FIELDS,
    Campaign,
    Sample,
    SamplingPoint,
    Tube,
)
from ..samplefile import (
    BarcodeInvalid,
    SampleFileInvalid,
    SampleLayout,
    SampleRow,
    clean_barcode,
    data_rows,
    document_of,
    find_layout,
    parse_sampled_at,
)
from .counters import recount_persons
from .tasks import do_close_tasks_by_swabs
from .tubes import CLOCK_SKEW, check_sampling_day, outside_region

logger = logging.getLogger(__name__)

NAMESPACE = uuid.UUID("0c6f3d52-6a1e-4d8b-9f4e-2b7c1a9e5d30")
LOOKUP_BATCH = 500  # values in one IN (...): under SQLite's limit on query parameters


@dataclass(frozen=True)
class Rejected:
    number: int  # the row number Excel shows
    index: int  # the row's index in the table
    reason: str


@dataclass
class SampleImportResult:
    read: int = 0
    tubes: int = 0  # tubes the accepted rows are in (new, or from an earlier import)
    persons: int = 0  # rows accepted: a person's swab in a tube (stored now or before)
    new_tubes: int = 0
    new_samples: int = 0
    repeats: int = 0  # accepted swabs of a person already swabbed in the campaign
    rejected: list[Rejected] = field(default_factory=list)

    def as_dict(self, rejects_file: str | None) -> dict[str, Any]:
        """The command line's JSON contract: ``{read, tubes, persons, rejected, rejects_file}``."""
        return {
            "read": self.read,
            "tubes": self.tubes,
            "persons": self.persons,
            "rejected": len(self.rejected),
            "rejects_file": rejects_file,
        }


def read_samples(data: bytes, filename: str) -> tuple[spreadsheets.Table, SampleLayout, list]:
    try:
        table = spreadsheets.read_table(data, filename)
    except spreadsheets.SpreadsheetError as e:
        raise SampleFileInvalid(str(e)) from None
    if not any(any(c for c in row) for row in table.rows):
        raise SampleFileInvalid(_("the file is empty"))
    layout = find_layout(table)
    return table, layout, data_rows(table, layout)


@dataclass
class _Swab:
    row: SampleRow
    barcode: str
    person_id: int
    region_path: str
    sampled_at: Any
    point: str


def import_samples(
    *, data: bytes, filename: str, campaign: Campaign, rejects: Path
) -> SampleImportResult:
    """Import a sampling file into ``campaign``; SampleFileInvalid (nothing saved) if it is
    not one. The refused rows go to ``rejects`` (removed when there are none)."""
    table, layout, rows = read_samples(data, filename)
    result = SampleImportResult(read=len(rows))
    with transaction.atomic():
        swabs = _checked(rows, campaign, result)
        _write(campaign, swabs, result)
        record_audit(
            user=None,
            action=AuditAction.IMPORT,
            object_type="samples",
            object_id=campaign.pk,
            region_path=campaign.region_path,
            detail={"file": filename, **result.as_dict(None)},
        )
        result.rejected.sort(key=lambda r: r.number)
        _keep_rejects(table, layout, result, rejects)
    return result


def _checked(rows: list[SampleRow], campaign: Campaign, result: SampleImportResult) -> list[_Swab]:
    """The rows that name a tube, a registered person and a time in the campaign's days."""
    documents = {}
    for row in rows:
        try:
            documents[row.index] = document_of(row)
        except ValueError as e:
            result.rejected.append(Rejected(row.number, row.index, str(e)))
    persons = _persons({d.id_number for d in documents.values()})
    now = timezone.now()
    swabs = []
    for row in rows:
        if row.index not in documents:
            continue
        why, swab = _swab(row, documents[row.index], persons, campaign, now)
        if why:
            result.rejected.append(Rejected(row.number, row.index, why))
        else:
            swabs.append(swab)
    return swabs


def _persons(numbers: set[str]) -> dict[tuple[str, str], tuple[int, str, str]]:
    """(id type, number) → (id, region path, name) of the registered persons."""
    found = {}
    ordered = sorted(numbers)
    for i in range(0, len(ordered), LOOKUP_BATCH):
        for pk, id_type, number, path, name in (
            Person.objects.filter(id_number__in=ordered[i : i + LOOKUP_BATCH])
            .order_by()
            .values_list("id", "id_type", "id_number", "region_path", "name")
        ):
            found[(id_type, number)] = (pk, path, name)
    return found


def _swab(row: SampleRow, document, persons, campaign: Campaign, now) -> tuple[str, Any]:
    if row.barcode_lossy:
        return _("the barcode lost its last digits in Excel: format the column as text"), None
    try:
        barcode = clean_barcode(row.barcode)
    except BarcodeInvalid as e:
        return str(e), None
    person = persons.get((document.id_type, document.id_number))
    if person is None:
        return _("no registered person with this document"), None
    pk, path, name = person
    if row.name and " ".join(row.name.split()) != name:
        return _("姓名 does not match the registered name of this document"), None
    if not path.startswith(campaign.region_path):
        return outside_region(campaign), None
    try:
        sampled_at = parse_sampled_at(row.sampled_at) or now
    except ValueError:
        return _("采样时间 is not a time like 2022-04-01 08:30"), None
    if sampled_at > now + CLOCK_SKEW:
        return _("the sampling time is in the future"), None
    why = check_sampling_day(campaign, sampled_at)
    if why:
        return why, None
    return "", _Swab(row, barcode, pk, path, sampled_at, " ".join(row.point.split())[:100])


def _in_batches(model, field_name: str, values, *columns, **filters):
    ordered = sorted(values)
    for i in range(0, len(ordered), LOOKUP_BATCH):
        chunk = ordered[i : i + LOOKUP_BATCH]
        yield from (
            model.objects.filter(**{f"{field_name}__in": chunk}, **filters)
            .order_by()
            .values_list(*columns)
        )


def _write(campaign: Campaign, swabs: list[_Swab], result: SampleImportResult) -> None:
    """Tubes by barcode (this campaign's filled up, another's refused), then the swabs."""
    tubes: dict[str, tuple[int, int]] = {}  # barcode → (tube id, campaign id)
    for pk, code, campaign_id in _in_batches(
        Tube, "barcode", {s.barcode for s in swabs}, "id", "barcode", "campaign_id"
    ):
        tubes[code] = (pk, campaign_id)
    stored: dict[int, set[int]] = defaultdict(set)  # tube id → persons in it
    for tube_id, person_id in _in_batches(
        Sample,
        "tube_id",
        {t for t, c in tubes.values() if c == campaign.pk},
        "tube_id",
        "person_id",
    ):
        stored[tube_id].add(person_id)
    swabbed = {
        p
        for (p,) in _in_batches(
            Sample, "person_id", {s.person_id for s in swabs}, "person_id", campaign_id=campaign.pk
        )
    }
    by_tube: dict[str, list[_Swab]] = defaultdict(list)
    for s in swabs:
        by_tube[s.barcode].append(s)
    new_tubes = [code for code in by_tube if code not in tubes]
    for pk, code in zip(reserve_ids(Tube, len(new_tubes)), new_tubes, strict=True):
        tubes[code] = (pk, 0)  # 0: made now
    accepted: list[_Swab] = []
    used_tubes: set[str] = set()
    for code, members in by_tube.items():
        tube_id, campaign_id = tubes[code]
        if campaign_id not in (0, campaign.pk):
            for s in members:
                _reject(
                    result,
                    s,
                    _("tube %(code)s belongs to another campaign; a tube is used once")
                    % {"code": code},
                )
            continue
        kept = _fill(result, campaign, code, members, stored[tube_id])
        if kept:
            used_tubes.add(code)
            accepted += kept
    result.tubes = len(used_tubes)
    result.persons = len(accepted)
    _write_rows(campaign, tubes, new_tubes, used_tubes, accepted, stored, swabbed, result)


def _fill(result, campaign: Campaign, code: str, members: list[_Swab], in_tube: set[int]):
    """The rows that fit the tube: each person once, up to the pool size."""
    kept = []
    inside = set(in_tube)
    first_row: dict[int, int] = {}
    for s in members:
        if s.person_id in first_row:
            _reject(
                result,
                s,
                _("the same person is in tube %(code)s on row %(n)d already")
                % {"code": code, "n": first_row[s.person_id]},
            )
            continue
        first_row[s.person_id] = s.row.number
        if s.person_id in in_tube:
            kept.append(s)  # stored by an earlier import of this file
            continue
        if len(inside) >= campaign.pool_size:
            _reject(
                result,
                s,
                _("tube %(code)s holds %(n)d swabs at most (this campaign's pool size)")
                % {"code": code, "n": campaign.pool_size},
            )
            continue
        inside.add(s.person_id)
        kept.append(s)
    return kept


def _reject(result: SampleImportResult, s: _Swab, reason: str) -> None:
    result.rejected.append(Rejected(s.row.number, s.row.index, reason))


def _common_path(paths: list[str]) -> str:
    prefix = os.path.commonprefix(paths)
    return prefix[: prefix.rfind("/") + 1]


def _db(model, name: str, value):
    """A value as the database stores it (BulkWriter writes raw rows: SQLite keeps UUIDs as
    hex and times as UTC text)."""
    return model._meta.get_field(name).get_db_prep_value(value, connection)


def _write_rows(
    campaign: Campaign,
    tubes: dict[str, tuple[int, int]],
    new_tubes: list[str],
    used_tubes: set[str],
    accepted: list[_Swab],
    stored: dict[int, set[int]],
    swabbed: set[int],
    result: SampleImportResult,
) -> None:
    """The new tubes and the swabs not stored yet, in bulk."""
    now = timezone.now()
    points = _points(campaign, {s.point for s in accepted if s.point})
    fresh = [s for s in accepted if s.person_id not in stored[tubes[s.barcode][0]]]
    members: dict[str, list[_Swab]] = defaultdict(list)
    for s in fresh:
        members[s.barcode].append(s)
    tube_rows = BulkWriter(Tube, BULK_TUBE_FIELDS)
    for code in new_tubes:
        if code not in used_tubes:
            continue
        group = members[code]
        tube_rows.rows.append(
            (
                tubes[code][0],
                campaign.pk,
                code,
                campaign.pool_size,
                TubeStatus.CLOSED,  # a sampling app's export: the tube's swabs are done
                "",
                _common_path([s.region_path for s in group]) or campaign.region_path,
                _db(Tube, "opened_at", min(s.sampled_at for s in group)),
                _db(Tube, "closed_at", max(s.sampled_at for s in group)),
            )
        )
    result.new_tubes = tube_rows.flush()
    sample_rows = BulkWriter(Sample, BULK_SAMPLE_FIELDS)
    ids = reserve_ids(Sample, len(fresh))
    seen = set(swabbed)
    for pk, s in zip(ids, fresh, strict=True):
        repeat = s.person_id in seen
        seen.add(s.person_id)
        result.repeats += repeat
        tube_id = tubes[s.barcode][0]
        sample_rows.rows.append(
            (
                pk,
                _db(Sample, "client_id", uuid.uuid5(NAMESPACE, f"{tube_id}|{s.person_id}")),
                campaign.pk,
                tube_id,
                s.person_id,
                s.region_path,
                _db(Sample, "sampled_at", s.sampled_at),
                points.get(s.point),
                repeat,
                SampleSource.IMPORT,
                _db(Sample, "created_at", now),
            )
        )
    result.new_samples = sample_rows.flush()
    do_close_tasks_by_swabs(
        swabs=[(tubes[s.barcode][0], campaign.pool_size, s.person_id) for s in fresh]
    )
    _close_full(campaign, {tubes[s.barcode][0] for s in fresh if s.barcode not in new_tubes}, now)
    recount_persons({(campaign.pk, s.person_id) for s in fresh}, lock_persons=True)


def _close_full(campaign: Campaign, tube_ids: set[int], now) -> None:
    """A tube opened on a phone and filled up by the file closes, as it would on the phone."""
    if not tube_ids:
        return
    full = [
        pk
        for pk, n in Tube.objects.filter(pk__in=tube_ids, status=TubeStatus.OPEN)
        .annotate(n=Count("samples"))
        .values_list("id", "n")
        if n >= campaign.pool_size
    ]
    Tube.objects.filter(pk__in=full).update(status=TubeStatus.CLOSED, closed_at=now)


def _points(campaign: Campaign, names: set[str]) -> dict[str, int]:
    """The campaign's sampling points by name; a point the file names first is added."""
    known = dict(SamplingPoint.objects.filter(campaign=campaign).values_list("name", "id"))
    missing = sorted(names - known.keys())
    made = SamplingPoint.objects.bulk_create(
        [
            SamplingPoint(campaign=campaign, name=n, region_path=campaign.region_path)
            for n in missing
        ]
    )
    if missing and any(p.pk is None for p in made):  # backends that return no ids
        known = dict(SamplingPoint.objects.filter(campaign=campaign).values_list("name", "id"))
    else:
        known |= {p.name: p.pk for p in made}
    return known


def write_rejects(table, layout: SampleLayout, result: SampleImportResult, target: Path) -> None:
    """The refused rows in the input's own format and columns, plus a 错误原因 column."""
    spreadsheets.write_rejects(
        table,
        layout.titles,
        [(r.index, r.reason) for r in result.rejected],
        target,
        reason_col=layout.columns.get("reason"),
    )


def _keep_rejects(table, layout, result: SampleImportResult, path: Path) -> None:
    """Write the rejects file (or remove a stale one); SampleFileInvalid, so the import rolls
    back, if it cannot be written."""
    if not result.rejected:
        path.unlink(missing_ok=True)
        return
    try:
        write_rejects(table, layout, result, path)
    except Exception as e:  # a full disk, a permission: the import must not commit without it
        logger.exception("the rejects file %s could not be written", path)
        path.unlink(missing_ok=True)
        raise SampleFileInvalid(
            _("the file of refused rows could not be written (%(e)s); nothing was saved")
            % {"e": getattr(e, "strerror", None) or e.__class__.__name__}
        ) from None
