"""Lab results into tubes: the one service behind ``fangkong import labresults``, the lab's
upload page and the API.

Every row is applied (the tube's result as it stands), a duplicate (the same finding again),
or refused into the rejects file with its reason: a barcode nobody sampled (for a lab
operator: not sent to their lab, told the same way, so a barcode reveals nothing), a row
without a readable result, and a report contradicting the tube's standing result. When reports
of one tube differ the one that protects the public stands — positive over invalid over
negative — and the other is kept as a conflict for the lab to confirm. The tubes' new results
give their tasks, watches and flags (``tasks.do_act_on_results``). Rows are checked in Python
with a few queries per chunk and written with COPY (PostgreSQL) or batched inserts in one
transaction; the rejects file is written before it commits. Importing the same file again
changes nothing: every row is then a duplicate or a conflict already recorded.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import User
from fangkong.accounts.services import record_audit
from fangkong.common.db import BulkWriter, reserve_ids

from ..choices import PRECEDENCE, Result, TubeStatus
from ..labfile import LabFileInvalid, LabRow, Reading, read_lab_file, read_row
from ..labmodels import (
    BULK_RESULT_FIELDS,
    Dispatch,
    Lab,
    LabImport,
    LabResult,
    ResultConflict,
)
from ..models import Tube
from .counters import recount_tubes
from .samples import Rejected, write_rejects
from .tasks import BATCH, Consequences, do_act_on_results

logger = logging.getLogger(__name__)


@dataclass
class LabImportResult:
    read: int = 0
    applied: int = 0  # rows that set a tube's result (a new one, or a positive overturning)
    duplicates: int = 0  # the same finding as the tube's standing result
    unknown: int = 0  # a barcode nobody sampled (or, for a lab, not sent to it)
    conflicts: int = 0  # reports contradicting the standing result (rows, and overturned ones)
    positive_tubes: int = 0  # tubes of the file whose result stands positive
    invalid_tubes: int = 0
    retest_tasks: int = 0  # made by this import
    resample_tasks: int = 0
    watched: int = 0
    households: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    batch: LabImport | None = None

    def as_dict(self, rejects_file: str | None) -> dict[str, Any]:
        """The command line's JSON contract: ``{read, applied, duplicates, unknown, conflicts,
        rejected, positive_tubes, invalid_tubes, retest_tasks, resample_tasks, rejects_file}``."""
        return {
            "read": self.read,
            "applied": self.applied,
            "duplicates": self.duplicates,
            "unknown": self.unknown,
            "conflicts": self.conflicts,
            "rejected": len(self.rejected),
            "positive_tubes": self.positive_tubes,
            "invalid_tubes": self.invalid_tubes,
            "retest_tasks": self.retest_tasks,
            "resample_tasks": self.resample_tasks,
            "rejects_file": rejects_file,
        }


@dataclass
class _Report:
    row: LabRow
    reading: Reading
    tube_id: int
    lab_id: int
    region_path: str
    sent: bool = True  # recorded as sent to a lab before this import


@dataclass(frozen=True)
class _Stored:
    result: str
    lab_id: int
    source_row: int | None
    digest: str


def _db(model, name: str, value):
    return model._meta.get_field(name).get_db_prep_value(value, connection)


class _Prepared(dict):
    """(field, value) → the value as the database stores it, each converted once: a lab's
    file repeats its few Ct values and report times on thousands of rows."""

    def __missing__(self, key):
        value = self[key] = _db(LabResult, *key)
        return value


def _chunks(values: list, size: int = BATCH):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def import_lab_results(
    *,
    data: bytes,
    filename: str,
    rejects: Path,
    lab: Lab | None = None,
    user: User | None = None,
) -> LabImportResult:
    """Import a lab's results; LabFileInvalid (nothing saved) if the file is not one.

    ``user`` set (a lab operator's upload or API call): only tubes sent to ``lab`` exist.
    ``user`` None (the command line): any tube; each row's lab is ``lab``, else the one its
    检测机构 names, else the one the tube was sent to, and a tube not yet sent is recorded as
    sent to it."""
    table, layout, rows = read_lab_file(data, filename)
    digest = hashlib.sha256(data).hexdigest()
    result = LabImportResult(read=len(rows))
    with transaction.atomic():
        batch = LabImport.objects.create(lab=lab, user=user, filename=filename[:200], digest=digest)
        reports = _checked(rows, lab, user, result)
        standing, changed = _apply(reports, batch, digest, result, trusted=user is None)
        result.positive_tubes = sum(1 for r in standing.values() if r == Result.POSITIVE)
        result.invalid_tubes = sum(1 for r in standing.values() if r == Result.INVALID)
        done: Consequences = do_act_on_results(tubes=standing, user=user)
        result.retest_tasks, result.resample_tasks = done.retest_tasks, done.resample_tasks
        result.watched, result.households = done.watched, done.households
        recount_tubes(changed)  # coverage's counters last: the order a move locks them in
        result.rejected.sort(key=lambda r: r.number)
        rejects_file = str(rejects) if result.rejected else ""
        summary = result.as_dict(rejects_file or None)
        LabImport.objects.filter(pk=batch.pk).update(summary=summary, rejects_file=rejects_file)
        batch.summary, batch.rejects_file = summary, rejects_file
        result.batch = batch
        record_audit(
            user=user,
            action=AuditAction.IMPORT,
            object_type="labresults",
            object_id=batch.pk,
            region_path=lab.region_path if lab else "",
            detail={"file": filename, **summary},
        )
        _keep_rejects(table, layout, result, rejects)
    return result


def _labs_named(names: set[str]) -> dict[str, int]:
    """检测机构 as written → lab id, by name or code."""
    if not names:
        return {}
    found = {}
    for pk, code, name in Lab.objects.filter(Q(name__in=names) | Q(code__in=names)).values_list(
        "id", "code", "name"
    ):
        found[name] = pk
        found[code] = pk
    return found


def _checked(rows: list[LabRow], lab: Lab | None, user, result: LabImportResult) -> list[_Report]:
    """The rows that read and name a tube the importer may report on, with their lab."""
    readings: list[tuple[LabRow, Reading]] = []
    memo: dict = {}
    for row in rows:
        try:
            readings.append((row, read_row(row, memo)))
        except ValueError as e:
            result.rejected.append(Rejected(row.number, row.index, str(e)))
    tubes: dict[str, tuple[int, str, int | None]] = {}  # barcode → (id, path, sent to lab)
    for chunk in _chunks(sorted({r.barcode for _row, r in readings})):
        qs = Tube.objects.filter(barcode__any=chunk)
        if user is not None:  # a lab operator: the tubes sent to their lab, nothing else
            qs = qs.filter(dispatch__lab=lab)
        for pk, code, path, sent in qs.order_by().values_list(
            "id", "barcode", "region_path", "dispatch__lab_id"
        ):
            tubes[code] = (pk, path, sent)
    named = _labs_named({r.lab for _row, r in readings if r.lab}) if lab is None else {}
    out = []
    for row, reading in readings:
        why, lab_id = _lab_of(reading, tubes.get(reading.barcode), lab, named, user)
        if why:
            result.rejected.append(Rejected(row.number, row.index, why))
            result.unknown += reading.barcode not in tubes
            continue
        tube_id, path, sent_to = tubes[reading.barcode]
        out.append(_Report(row, reading, tube_id, lab_id, path, sent_to is not None))
    return out


def _lab_of(reading: Reading, tube, lab: Lab | None, named, user) -> tuple[str, int]:
    """Why the row cannot be taken (or ""), and the lab that reports it."""
    if tube is None:
        if user is not None:
            return _("no tube %(code)s was sent to your lab") % {"code": reading.barcode}, 0
        return _("no tube %(code)s was sampled: check the barcode") % {"code": reading.barcode}, 0
    sent = tube[2]
    lab_id = lab.pk if lab else named.get(reading.lab) or sent
    if lab_id is None:
        if reading.lab:
            return _("检测机构 “%(lab)s” is not a registered lab") % {"lab": reading.lab}, 0
        return _("the lab is not named: a 检测机构 column, or --lab CODE"), 0
    if sent is not None and sent != lab_id:
        return _("tube %(code)s was sent to another lab") % {"code": reading.barcode}, 0
    return "", lab_id


def _stored(tube_ids: list[int]) -> dict[int, _Stored]:
    found = {}
    for chunk in _chunks(tube_ids):
        for tube_id, res, lab_id, row, digest in (
            LabResult.objects.filter(tube_id__any=chunk)
            .order_by()
            .values_list("tube_id", "result", "lab_id", "source_row", "batch__digest")
        ):
            found[tube_id] = _Stored(res, lab_id, row, digest or "")
    return found


def _conflict_key(tube_id: int, reported: str, digest: str, row: int | None) -> str:
    return hashlib.sha256(f"{tube_id}|{reported}|{digest}|{row}".encode()).hexdigest()


def _apply(
    reports: list[_Report], batch: LabImport, digest: str, result: LabImportResult, *, trusted
) -> tuple[dict[int, str], list[int]]:
    """Each tube's standing result after this file; writes new results, overturns, conflicts
    and dispatches. Returns tube id → standing result, for the tubes of the file, and the
    tubes whose result this import set or changed."""
    by_tube: dict[int, list[_Report]] = defaultdict(list)
    for r in reports:
        by_tube[r.tube_id].append(r)
    stored = _stored(sorted(by_tube))
    now = timezone.now()
    new_results: list[_Report] = []
    overturned: list[tuple[_Report, _Stored]] = []
    conflicts: dict[str, ResultConflict] = {}
    standing: dict[int, str] = {}
    for tube_id, group in by_tube.items():
        before = stored.get(tube_id)
        best = max(group, key=lambda r: PRECEDENCE[r.reading.result])  # first among equals
        wins = before is None or PRECEDENCE[best.reading.result] > PRECEDENCE[before.result]
        stands = best.reading.result if wins or before is None else before.result
        standing[tube_id] = stands
        if wins:
            result.applied += 1
            if before is None:
                new_results.append(best)
            else:
                overturned.append((best, before))
                result.conflicts += 1
                key = _conflict_key(tube_id, before.result, before.digest, before.source_row)
                conflicts[key] = _conflict(key, best, before.result, stands, None, batch, now)
        for r in group:
            if wins and r is best:
                continue
            if r.reading.result == stands:
                result.duplicates += 1
                continue
            result.conflicts += 1
            where = _("row %(n)d") % {"n": best.row.number} if wins else _("an earlier report")
            result.rejected.append(
                Rejected(
                    r.row.number,
                    r.row.index,
                    _(
                        "tube %(code)s: %(this)s here contradicts %(stands)s (%(where)s); "
                        "%(stands)s stands, the lab is asked to confirm"
                    )
                    % {
                        "code": r.reading.barcode,
                        "this": Result(r.reading.result).label,
                        "stands": Result(stands).label,
                        "where": where,
                    },
                )
            )
            key = _conflict_key(tube_id, r.reading.result, digest, r.row.number)
            conflicts[key] = _conflict(key, r, r.reading.result, stands, r, batch, now)
    changed = _write(new_results, overturned, conflicts, batch, now, trusted)
    return standing, changed


def _conflict(key, report: _Report, reported, stands, source: _Report | None, batch, now):
    reading = source.reading if source else None
    return ResultConflict(
        key=key,
        tube_id=report.tube_id,
        lab_id=report.lab_id,
        reported=reported,
        standing=stands,
        ct_orf1ab=reading.ct_orf1ab if reading else None,
        ct_n=reading.ct_n if reading else None,
        reported_at=(reading.reported_at if reading else None) or now,
        batch=batch if source else None,
        source_row=source.row.number if source else None,
        region_path=report.region_path,
    )


def _write(new_results, overturned, conflicts, batch, now, trusted) -> list[int]:
    rows = BulkWriter(LabResult, BULK_RESULT_FIELDS)
    db = _Prepared()
    for pk, r in zip(reserve_ids(LabResult, len(new_results)), new_results, strict=True):
        rows.rows.append(
            (
                pk,
                r.tube_id,
                r.lab_id,
                r.reading.result,
                db["ct_orf1ab", r.reading.ct_orf1ab],
                db["ct_n", r.reading.ct_n],
                db["reported_at", r.reading.reported_at or now],
                batch.pk,
                r.row.number,
                r.region_path,
                db["created_at", now],
            )
        )
        if len(rows.rows) >= BATCH:
            rows.flush()
    rows.flush()
    for best, _before in overturned:  # rare: a positive after a negative or invalid
        LabResult.objects.filter(tube_id=best.tube_id).update(
            result=best.reading.result,
            ct_orf1ab=best.reading.ct_orf1ab,
            ct_n=best.reading.ct_n,
            reported_at=best.reading.reported_at or now,
            batch=batch,
            source_row=best.row.number,
        )
    known = set()
    keys = sorted(conflicts)
    for chunk in _chunks(keys):
        known |= set(ResultConflict.objects.filter(key__any=chunk).values_list("key", flat=True))
    ResultConflict.objects.bulk_create(
        [c for k, c in conflicts.items() if k not in known], batch_size=BATCH
    )
    resulted = sorted({r.tube_id for r in new_results} | {b.tube_id for b, _ in overturned})
    for chunk in _chunks(resulted):
        Tube.objects.filter(pk__any=chunk).exclude(status=TubeStatus.RESULTED).update(
            status=TubeStatus.RESULTED
        )
    if trusted:
        _dispatch(new_results, now)
    return resulted


def _dispatch(new_results, now) -> None:
    """The command line's rows name the lab of tubes nobody recorded as sent."""
    unsent = {r.tube_id: r.lab_id for r in new_results if not r.sent}
    Dispatch.objects.bulk_create(
        [Dispatch(tube_id=t, lab_id=lab, sent_at=now) for t, lab in unsent.items()],
        batch_size=BATCH,
    )


def _keep_rejects(table, layout, result: LabImportResult, path: Path) -> None:
    """Write the rejects file (or remove a stale one); LabFileInvalid, so the import rolls
    back, if it cannot be written."""
    if not result.rejected:
        path.unlink(missing_ok=True)
        return
    try:  # the sample import's writer: the same columns, then 错误原因
        write_rejects(table, layout, cast(Any, result), path)
    except Exception as e:  # a full disk, a permission: the import must not commit without it
        logger.exception("the rejects file %s could not be written", path)
        path.unlink(missing_ok=True)
        raise LabFileInvalid(
            _("the file of refused rows could not be written (%(e)s); nothing was saved")
            % {"e": getattr(e, "strerror", None) or e.__class__.__name__}
        ) from None
