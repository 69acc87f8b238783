"""The daily report page, issuing a report, and its downloads (Excel, Word, PDF)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.scope import Cap, Scope, scope_of
from fangkong.accounts.services import record_audit
from fangkong.common.params import EARLIEST_DAY, day_or, int_or, time_or
from fangkong.regions.selectors import breadcrumbs, region_or_home

from . import selectors
from .docx import PdfUnavailable, pdf_available, report_docx, report_pdf
from .export import as_of, percent, report_xlsx
from .models import DailyReport
from .services import ReportInvalid, check_issue_report


def _asked(request, scope: Scope):
    """The region, day and hour a request asks for (GET or POST): a page forgives a bad
    value (the user's own region, today, the whole day)."""
    data = request.POST if request.method == "POST" else request.GET
    region = region_or_home(scope, data.get("region", ""), request.user.scope_region)
    today = timezone.localdate()
    day = min(max(day_or(data.get("day"), today), EARLIEST_DAY), today)
    hour = time_or(data.get("at") or None, None)
    at = timezone.make_aware(dt.datetime.combine(day, hour)) if hour is not None else None
    return region, day, at


def _issued(report: DailyReport | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {
        "version": report.version,
        "issued_by": report.issued_by.username,
        "issued_at": timezone.localtime(report.issued_at).strftime("%Y-%m-%d %H:%M"),
    }


def _chosen(versions: list[DailyReport], number: int | None) -> DailyReport | None:
    if number is None:
        return None
    found = next((v for v in versions if v.version == number), None)
    if found is None:
        raise Http404
    return found


def _shown_figures(section: dict[str, Any], scope: Scope) -> list[dict[str, Any]]:
    by_key = {f["key"]: f for f in section["figures"]}
    out = []
    for f in section["figures"]:
        whole = by_key[f["of"]] if f["of"] else None
        top = max(f["trend"]) or 1
        out.append(
            {
                **f,
                "share": percent(f["today"], whole["today"]) if whole else "",
                "of_label": whole["label"] if whole else "",
                "url": f["link"]["url"] if f["link"] and scope.can(f["link"]["cap"]) else "",
                "bars": [(n, round(100 * n / top)) for n in f["trend"]],
            }
        )
    return out


def _shown_rows(section: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    columns = [f for f in section["figures"] if f["in_rows"]]
    rows = []
    for row in section["rows"]:
        cells = []
        for f in columns:
            n = row["values"].get(f["key"], 0)
            whole = row["values"].get(f["of"], 0) if f["of"] else None
            cells.append({"n": n, "share": percent(n, whole) if whole is not None else ""})
        rows.append({**row, "cells": cells})
    return columns, rows


def _page_sections(content: dict[str, Any], scope: Scope) -> list[dict[str, Any]]:
    sections = []
    for s in content["sections"]:
        columns, rows = _shown_rows(s)
        outstanding = [
            {
                **i,
                "url": i["link"]["url"] if i["link"] and scope.can(i["link"]["cap"]) else "",
            }
            for i in s["outstanding"]
        ]
        sections.append(
            {
                **s,
                "figures": _shown_figures(s, scope),
                "columns": columns,
                "rows": rows,
                "outstanding": outstanding,
            }
        )
    return sections


@login_required
def daily_page(request):
    """A region's report of a day: live, or an issued version (``?version=``) with what
    changed from the version before it."""
    scope = scope_of(request.user)
    scope.require(Cap.REPORTS_VIEW)
    region, day, at = _asked(request, scope)
    versions = selectors.issued_versions(scope, region, day)
    chosen = _chosen(versions, int_or(request.GET.get("version"), None))
    if chosen is not None:
        content = selectors.readable(scope, chosen.content)
        earlier = [v for v in versions if v.version < chosen.version]
        changed = (
            selectors.changes(selectors.readable(scope, earlier[-1].content), content)
            if earlier
            else None
        )
        against = earlier[-1] if earlier else None
    else:
        content = selectors.daily_report(scope, region, day, at)
        against = versions[-1] if versions else None
        changed = (
            selectors.changes(selectors.readable(scope, against.content), content)
            if against
            else None
        )
    query = {"region": region.code, "day": day.isoformat()}
    if chosen is not None:
        query["version"] = str(chosen.version)
    elif at is not None:
        query["at"] = timezone.localtime(at).strftime("%H:%M")
    return render(
        request,
        "reports/daily.html",
        {
            "region": region,
            "day": day,
            "at": query.get("at", ""),
            "today": timezone.localdate(),
            "previous": day - dt.timedelta(days=1),
            "following": day + dt.timedelta(days=1),
            "crumbs": breadcrumbs(scope, region),
            "content": content,
            "as_of": as_of(content),
            "sections": _page_sections(content, scope),
            "versions": versions,
            "chosen": chosen,
            "issued": _issued(chosen),
            "intact": selectors.intact(chosen) if chosen else True,
            "against": against,
            "changed": changed,
            "export_url": reverse("reports:export") + "?" + urlencode(query),
            "docx_url": reverse("reports:export_docx") + "?" + urlencode(query),
            "pdf_url": reverse("reports:export_pdf") + "?" + urlencode(query)
            if pdf_available()
            else "",
            "can_issue": scope.can(Cap.REPORTS_ISSUE) and chosen is None,
            "error": request.session.pop("reports_error", None),
        },
    )


@login_required
@require_POST
def issue(request):
    """Issue the region's report of the day as its next version (frozen from then on)."""
    scope = scope_of(request.user)
    scope.require(Cap.REPORTS_ISSUE)
    region, day, at = _asked(request, scope)
    query = {"region": region.code, "day": day.isoformat()}
    try:
        report = check_issue_report(user=request.user, scope=scope, region=region, day=day, at=at)
    except ReportInvalid as e:
        request.session["reports_error"] = str(e)
    else:
        query["version"] = str(report.version)
    return redirect(reverse("reports:daily") + "?" + urlencode(query))


def _exported(request, kind: str) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    """The report a download asks for (live, or ``?version=``), its file name without the
    extension and who issued it; the download is audited (``export``, with its format)."""
    scope = scope_of(request.user)
    scope.require(Cap.REPORTS_VIEW)
    region, day, at = _asked(request, scope)
    versions = selectors.issued_versions(scope, region, day)
    chosen = _chosen(versions, int_or(request.GET.get("version"), None))
    content = (
        selectors.readable(scope, chosen.content)
        if chosen
        else selectors.daily_report(scope, region, day, at)
    )
    record_audit(
        user=request.user,
        action=AuditAction.EXPORT,
        object_type="daily_report",
        object_id=region.code,
        region_path=region.path,
        request=request,
        detail={
            "day": day.isoformat(),
            "version": chosen.version if chosen else None,
            "format": kind,
        },
    )
    name = f"daily-{region.code}-{day.isoformat()}"
    if chosen is not None:
        name += f"-v{chosen.version}"
    return name, content, _issued(chosen)


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def export(request):
    """The report (live, or ``?version=``) as .xlsx: one sheet per section, A4 across."""
    name, content, issued = _exported(request, "xlsx")
    return _download(
        report_xlsx(content, issued),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def export_docx(request):
    """The report (live, or ``?version=``) as a Word document: A4 across, tables that fit."""
    name, content, issued = _exported(request, "docx")
    return _download(
        report_docx(content, issued),
        f"{name}.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@login_required
def export_pdf(request):
    """The Word document converted to PDF by LibreOffice; 404 where it is not installed."""
    if not pdf_available():
        raise Http404
    name, content, issued = _exported(request, "pdf")
    try:
        data = report_pdf(content, issued)
    except PdfUnavailable:
        return HttpResponse(
            _("The PDF could not be made; download the Word document instead."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    return _download(data, f"{name}.pdf", "application/pdf")
