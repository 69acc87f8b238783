"""Ledger files kept around an import: the rejects file (the refused rows, to fix and upload
again) and the uploads made through the page or the API, each imported once per upload id.

An upload always ends "done" or "failed". Its import is one transaction in the request that
sent the file, so a process killed mid-import saves nothing but leaves the upload "running";
an upload with no progress for ``STALE_AFTER`` is marked failed when the uploader's list or
progress is read, and by the timer (``fangkong escalate``).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.common import spreadsheets
from fangkong.regions.models import Region

from ..choices import LedgerStatus
from ..ledger import Col, LedgerInvalid
from ..models import LedgerUpload
from .ledger import LedgerImportResult, Progress, import_ledger

logger = logging.getLogger(__name__)

# Longer than any import within the upload limit takes (50 MB ≈ 900,000 rows: about 90 s on
# the bench machine; progress is reported every 20,000 rows).
STALE_AFTER = dt.timedelta(minutes=10)
PROGRESS_SECONDS = 3600  # how long the cache keeps an upload's progress


def write_rejects(result: LedgerImportResult, target: Path | Any) -> None:
    """The refused rows in the input's own format and columns, plus a 错误原因 column."""
    table, header = result.table, result.header
    assert table is not None and header is not None
    spreadsheets.write_rejects(
        table,
        header.titles,
        [(r.index, r.reason) for r in result.rejected],
        target,
        reason_col=header.columns.get(Col.REASON),
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
        if upload.status == LedgerStatus.RUNNING and fail_stopped_uploads(user=user):
            upload.refresh_from_db()
        return upload

    def progress(checked: int, rejected: int, total: int) -> None:
        report_progress(
            user=user, upload_id=upload_id, checked=checked, rejected=rejected, total=total
        )
        if on_progress is not None:
            on_progress(checked, rejected, total)

    progress(0, 0, 0)
    try:
        _import_upload(
            upload,
            user=user,
            scope=scope,
            region=region,
            filename=filename,
            data=data,
            on_progress=progress,
            request=request,
        )
    finally:
        forget_progress(user=user, upload_id=upload_id)
    return upload


def _import_upload(
    upload: LedgerUpload,
    *,
    user: User,
    scope: Scope,
    region: Region,
    filename: str,
    data: bytes,
    on_progress: Progress,
    request: HttpRequest | None,
) -> None:
    """Run the import of a new upload and record how it ended."""
    kept = f"{upload.upload_id}-{rejects_name(filename)}"
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


def _progress_key(user_id: int, upload_id: uuid.UUID | str) -> str:
    return f"ledger-progress:{user_id}:{upload_id}"


def report_progress(
    *, user: User, upload_id: uuid.UUID, checked: int, rejected: int, total: int
) -> None:
    """Rows checked so far, for the page that polls it; also the sign the import is alive."""
    state = {"checked": checked, "rejected": rejected, "total": total}
    cache.set(
        _progress_key(user.pk, upload_id),
        {**state, "at": timezone.now().timestamp()},
        PROGRESS_SECONDS,
    )


def progress_of(*, user: User, upload_id: uuid.UUID) -> dict[str, Any] | None:
    return cache.get(_progress_key(user.pk, upload_id))


def forget_progress(*, user: User, upload_id: uuid.UUID) -> None:
    cache.delete(_progress_key(user.pk, upload_id))


def fail_stopped_uploads(*, user: User | None = None, now: dt.datetime | None = None) -> int:
    """Mark failed the uploads (of ``user``, or everyone's) still running with no progress for
    ``STALE_AFTER``: their process stopped before the import committed, so nothing was saved.
    Returns how many."""
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    running = LedgerUpload.objects.filter(status=LedgerStatus.RUNNING, created_at__lt=cutoff)
    if user is not None:
        running = running.filter(user=user)
    stopped = []
    for pk, user_id, upload_id in running.values_list("pk", "user_id", "upload_id"):
        state = cache.get(_progress_key(user_id, upload_id)) or {}
        if state.get("at", 0) < cutoff.timestamp():  # a live import reports every few seconds
            stopped.append(pk)
    if not stopped:
        return 0
    # Conditional on still running: an import that finished meanwhile keeps its result.
    return LedgerUpload.objects.filter(pk__in=stopped, status=LedgerStatus.RUNNING).update(
        status=LedgerStatus.FAILED,
        error=_("the import stopped: nothing was saved; upload the file again"),
        rejects_file="",
        finished_at=now,
    )


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


rejects_name = spreadsheets.rejects_name
