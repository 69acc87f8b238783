"""Ledger files kept around an import: the rejects file (the refused rows, to fix and upload
again) and the uploads made through the page or the API, each imported once per upload id."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.common import spreadsheets
from fangkong.regions.models import Region

from ..choices import LedgerStatus
from ..ledger import REASON_HEADER, Col, LedgerInvalid
from ..models import LedgerUpload
from .ledger import LedgerImportResult, Progress, import_ledger

logger = logging.getLogger(__name__)


def write_rejects(result: LedgerImportResult, target: Path | Any) -> None:
    """The refused rows in the input's own format and columns, plus a 错误原因 column."""
    table, header = result.table, result.header
    assert table is not None and header is not None
    titles: list[object] = list(header.titles)
    reason_col = header.columns.get(Col.REASON)
    if reason_col is None:
        titles.append(REASON_HEADER)
    rows: list[list[object]] = [titles]
    for rejected in result.rejected:
        source = table.rows[rejected.index]
        cells: list[object] = [*source, *[""] * (len(header.titles) - len(source))]
        cells = cells[: len(header.titles)]
        if reason_col is None:
            cells.append(rejected.reason)
        else:
            cells[reason_col] = rejected.reason
        rows.append(cells)
    spreadsheets.write_table(
        target,
        rows,
        format=table.format,
        encoding=table.encoding if table.encoding != "utf-8" else "utf-8-sig",
        sheet=table.sheet or "Sheet1",
    )


def uploads_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_ledger_upload(
    *,
    user: User,
    scope: Scope,
    region: Region,
    upload_id: uuid.UUID,
    filename: str,
    data: bytes,
    on_progress: Progress | None = None,
    request: HttpRequest | None = None,
) -> LedgerUpload:
    """Import an uploaded ledger once per ``upload_id`` (a resubmitted form gets the first
    result), keep its summary and rejects file, and return the upload's record."""
    scope.require(Cap.EDIT_PEOPLE)
    if not scope.contains(region.path):
        raise LedgerInvalid(_("the region is outside your area"))
    upload, created = LedgerUpload.objects.get_or_create(
        upload_id=upload_id,
        defaults={
            "user": user,
            "region": region,
            "region_path": region.path,
            "filename": Path(filename).name[:200],
        },
    )
    if not created:
        if upload.user_id != user.pk:
            raise LedgerInvalid(_("this upload belongs to somebody else"))
        return upload
    kept = f"{upload_id}-{rejects_name(filename)}"
    try:
        result = import_ledger_with_rejects(
            data=data,
            filename=filename,
            region=region,
            rejects=uploads_dir() / kept,
            user=user,
            scope=scope,
            on_progress=on_progress,
            request=request,
        )
        upload.rejects_file = kept if result.rejected else ""
    except LedgerInvalid as e:
        upload.status, upload.error, upload.rejects_file = LedgerStatus.FAILED, str(e), ""
    except Exception:
        upload.status, upload.error = LedgerStatus.FAILED, _("the import failed; nothing was saved")
        upload.rejects_file = ""
        upload.finished_at = timezone.now()
        upload.save()
        raise
    else:
        upload.status = LedgerStatus.DONE
        upload.summary = {
            **result.as_dict(upload.rejects_file or None),
            "new_categories": result.new_categories,
            "rejects": [[r.number, r.reason] for r in result.rejected[:200]],
        }
    upload.finished_at = timezone.now()
    upload.save()
    return upload


def import_ledger_with_rejects(
    *,
    data: bytes,
    filename: str,
    region: Region,
    rejects: Path,
    user: User | None = None,
    scope: Scope | None = None,
    on_progress: Progress | None = None,
    request: HttpRequest | None = None,
) -> LedgerImportResult:
    """Import a ledger and write its refused rows to ``rejects`` before the import commits:
    all or nothing, the rejects file too (the page, the API and ``fangkong import`` alike).
    LedgerInvalid, with nothing saved, if the file is not a ledger or the rejects cannot be
    written."""
    with transaction.atomic():
        result = import_ledger(
            data=data,
            filename=filename,
            region=region,
            user=user,
            scope=scope,
            on_progress=on_progress,
            request=request,
        )
        if result.rejected:
            _keep_rejects(result, rejects)
    return result


def _keep_rejects(result: LedgerImportResult, path: Path) -> None:
    """Write the rejects file; LedgerInvalid (so the import rolls back) if it cannot be."""
    try:
        write_rejects(result, path)
    except Exception as e:  # a full disk, a permission: the import must not commit without it
        logger.exception("the rejects file %s could not be written", path)
        path.unlink(missing_ok=True)
        raise LedgerInvalid(
            _("the file of refused rows could not be written (%(e)s); nothing was saved")
            % {"e": getattr(e, "strerror", None) or e.__class__.__name__}
        ) from None


def rejects_path(upload: LedgerUpload) -> Path | None:
    """Where an upload's rejects file is kept; None when it has none (or it was removed)."""
    if not upload.rejects_file:
        return None
    path = uploads_dir() / upload.rejects_file
    return path if path.is_file() else None


def rejects_name(filename: str) -> str:
    """``ledger.xlsx`` → ``ledger-rejects.xlsx``."""
    path = Path(filename)
    suffix = ".xlsx" if path.suffix.lower() == ".xlsx" else ".csv"
    return f"{path.stem}-rejects{suffix}"
