"""Issuing a daily report: the only write of ``reports`` (it writes to no other app)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.accounts.services import record_audit
from fangkong.common.params import EARLIEST_DAY
from fangkong.regions.models import Region

from .models import DailyReport
from .selectors import compile_report, content_hash, figures_hash, require_region


class ReportInvalid(ValueError):
    """Why a report cannot be issued, in the user's language."""


def check_issue_report(
    *, user: User, scope: Scope, region: Region, day: dt.date, at: dt.datetime | None = None
) -> DailyReport:
    """Compile the report of ``region`` on ``day`` (as of ``at``) and issue it as its next
    version; refused outside the scope, for a day to come, or when it says what the last
    version says."""
    require_region(scope, region)
    scope.require(Cap.REPORTS_ISSUE)
    if not EARLIEST_DAY <= day <= timezone.localdate():
        raise ReportInvalid(_("A report can be issued for a day up to today."))
    content = compile_report(scope, region, day, at)
    with transaction.atomic():
        # Compared with the last version under the region's lock (taken again, re-entrant, by
        # do_issue_report): a double click, or two supervisors at once, must not both find
        # "nothing issued yet" and make versions 1 and 2 of the same figures.
        _lock(region)
        last = DailyReport.objects.filter(region=region, on=day).order_by("-version").first()
        if last is not None and figures_hash(last.content) == figures_hash(content):
            raise ReportInvalid(
                _("Nothing has changed since version %(v)d: it stands as issued.")
                % {"v": last.version}
            )
        return do_issue_report(user=user, region=region, day=day, content=content)


def _lock(region: Region) -> None:
    """One issuer at a time per region: versions are numbered, and compared, under it."""
    Region.objects.select_for_update().filter(pk=region.pk).first()


def do_issue_report(
    *, user: User, region: Region, day: dt.date, content: dict[str, Any]
) -> DailyReport:
    """Store ``content`` as the next version of the region's report of ``day``, frozen: the
    row is only ever inserted (models.DailyReport refuses updates and deletes); the audit log
    records who issued which version."""
    with transaction.atomic():
        _lock(region)  # the next version number is read under the lock
        last = DailyReport.objects.filter(region=region, on=day).aggregate(v=Max("version"))["v"]
        report = DailyReport.objects.create(
            region=region,
            region_path=region.path,
            on=day,
            version=(last or 0) + 1,
            figures_at=dt.datetime.fromisoformat(content["as_of"]),
            issued_by=user,
            issued_at=timezone.now(),
            content=content,
            content_hash=content_hash(content),
        )
        record_audit(
            user=user,
            action=AuditAction.REPORT_ISSUED,
            object_type="daily_report",
            object_id=region.code,
            region_path=region.path,
            detail={"day": day.isoformat(), "version": report.version, "hash": report.content_hash},
        )
        return report
