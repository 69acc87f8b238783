"""The supply daily report (物资保障日报): a page to choose the region and day, with the
figures on screen, and the .xlsx to print (downloads audited)."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.scope import scope_of
from fangkong.accounts.services import record_audit
from fangkong.common.params import day_or

from .. import selectors
from ..daily import daily_report, item_rows, write_daily

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(text: str) -> dt.date:
    """The day asked for (today when none, not a date or before 2000; never a day to come)."""
    today = timezone.localdate()
    return min(day_or(text[:10], today), today)


def _report(request):
    scope = scope_of(request.user)
    region = selectors.cover_region_or_404(scope, request.GET.get("region", "")[:20])
    return daily_report(scope, region, _day(request.GET.get("day", "")))


@login_required
def daily(request):
    report = _report(request)
    return render(
        request,
        "supplies/daily.html",
        {"report": report, "rows": item_rows(report), "today": timezone.localdate()},
    )


@login_required
def daily_xlsx(request):
    report = _report(request)
    buffer = io.BytesIO()
    write_daily(report, buffer)
    record_audit(
        user=request.user,
        action=AuditAction.EXPORT,
        object_type="supply_daily_report",
        object_id=f"{report.region.code}/{report.day.isoformat()}",
        region_path=report.region.path,
        request=request,
        detail={"region": report.region.code, "day": report.day.isoformat()},
    )
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = f"supplies-daily-{report.region.code}-{report.day.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
