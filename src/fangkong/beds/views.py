"""Beds pages, phone first: a hospital operator's facility (count beds, admit, discharge);
staff's facilities and waiting list; headquarters' plan (propose, review, confirm) and each
district's part of it (progress rounds); the plan's vehicle tasks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.masking import mask_name
from fangkong.common.params import int_or
from fangkong.regions.selectors import region_or_404, region_or_home

from . import selectors
from .choices import PROGRESS, BedType, LineStatus, Need, Outcome, PlanStatus, Severity
from .services import (
    BedCount,
    BedsInvalid,
    check_admit,
    check_confirm_plan,
    check_discharge,
    check_propose_plan,
    check_report_beds,
    check_report_progress,
    check_triage,
)


def _region(request, scope):
    """The region a list is asked for (``?region=``), else the user's own; 404 outside."""
    return region_or_home(scope, request.GET.get("region", ""), request.user.scope_region)


def _say(request, error: BedsInvalid) -> None:
    for message in error.errors.values():
        messages.error(request, message)


@login_required
def home(request):
    """An operator's own facility; for staff, the region's facilities and their free beds (of
    the user's area, or of one region in it: ``?region=``, the daily report's drill-down)."""
    scope = scope_of(request.user)
    if not scope.can(Cap.BEDS_VIEW):
        mine = selectors.my_facility(scope)
        if mine is not None:
            return redirect("beds:facility", code=mine.code)
    facilities = selectors.facilities(scope)
    region = _region(request, scope)
    found = list(facilities.filter(region_path__startswith=region.path)[:300])
    figures = selectors.figures(scope, found)
    waiting = (
        selectors.waiting(scope, limit=0, under=region.path)[1:]
        if scope.can(Cap.BEDS_VIEW)
        else (0, 0)
    )
    today = (
        selectors.plans(scope).filter(on=timezone.localdate()).first()
        if scope.can(Cap.BEDS_VIEW)
        else None
    )
    return render(
        request,
        "beds/home.html",
        {
            "facilities": [(f, figures[f.pk]) for f in found],
            "region": region,
            "asked": bool(request.GET.get("region")),
            "waiting": waiting[0],
            "over": waiting[1],
            "plan": today,
        },
    )


@login_required
def facility_page(request, code):
    scope = scope_of(request.user)
    facility = selectors.facility_or_404(scope, code)
    coming, lying = selectors.in_facility(scope, facility)
    keeps = scope.can(Cap.BEDS_KEEP)
    return render(
        request,
        "beds/facility.html",
        {
            "facility": facility,
            "figures": selectors.figures(scope, [facility])[facility.pk],
            "coming": [(ln, mask_name(ln.patient.person.name)) for ln in coming],
            "lying": [(p, mask_name(p.person.name)) for p in lying],
            "keeps": keeps,
            "outcomes": Outcome.choices,
        },
    )


@login_required
@require_POST
def report_beds(request, code):
    scope = scope_of(request.user)
    facility = selectors.kept_facility_or_404(scope, code)
    counts = []
    for bed_type in BedType.values:
        if f"{bed_type}-occupied" in request.POST:
            counts.append(
                BedCount(
                    bed_type,
                    int_or(request.POST.get(f"{bed_type}-occupied"), -1),
                    int_or(request.POST.get(f"{bed_type}-blocked"), -1),
                )
            )
    try:
        check_report_beds(scope=scope, user=request.user, facility=facility, counts=counts)
        messages.success(request, _("Beds reported."))
    except BedsInvalid as e:
        _say(request, e)
    return redirect("beds:facility", code=facility.code)


@login_required
@require_POST
def admit(request, pk):
    scope = scope_of(request.user)
    scope.require(Cap.BEDS_KEEP)
    patient = selectors.patient_or_404(scope, pk)
    try:
        patient = check_admit(scope=scope, user=request.user, patient=patient)
        messages.success(request, _("Admitted."))
    except BedsInvalid as e:
        _say(request, e)
    mine = selectors.my_facility(scope)
    return redirect("beds:facility", code=mine.code) if mine else redirect("beds:home")


@login_required
@require_POST
def discharge(request, pk):
    scope = scope_of(request.user)
    scope.require(Cap.BEDS_KEEP)
    patient = selectors.patient_or_404(scope, pk)
    try:
        check_discharge(
            scope=scope,
            user=request.user,
            patient=patient,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("Discharged; the bed is free."))
    except BedsInvalid as e:
        _say(request, e)
    mine = selectors.my_facility(scope)
    return redirect("beds:facility", code=mine.code) if mine else redirect("beds:home")


@login_required
def patient_page(request, pk):
    scope = scope_of(request.user)
    patient = selectors.patient_or_404(scope, pk)
    lines = patient.lines.select_related("plan", "facility").order_by("-plan_id")
    if not scope.can(Cap.BEDS_VIEW):  # an operator: only what the plan sends to them
        lines = lines.filter(facility=selectors.my_facility(scope))
    return render(
        request,
        "beds/patient.html",
        {
            "patient": patient,
            "name": mask_name(patient.person.name),
            "lines": lines[:20],
            "triage": scope.can(Cap.BEDS_PROGRESS) and patient.status == "waiting",
            "severities": [
                s for s in Severity.choices if (s[0] == "contact") == (patient.source == "contact")
            ],
            "needs": Need.choices,
        },
    )


@login_required
def waiting_page(request):
    """Patients waiting in the user's area, or in one region of it (``?region=``)."""
    scope = scope_of(request.user)
    scope.require(Cap.BEDS_VIEW)
    region = _region(request, scope)
    rows, total, over = selectors.waiting(scope, under=region.path)
    return render(
        request,
        "beds/waiting.html",
        {"rows": rows, "total": total, "over": over, "region": region},
    )


@login_required
@require_POST
def triage(request, pk):
    scope = scope_of(request.user)
    scope.require(Cap.BEDS_PROGRESS)
    patient = selectors.patient_or_404(scope, pk)
    try:
        check_triage(
            scope=scope,
            user=request.user,
            patient=patient,
            severity=request.POST.get("severity", ""),
            needs=request.POST.getlist("needs"),
        )
        messages.success(request, _("Saved."))
    except BedsInvalid as e:
        _say(request, e)
    return redirect("beds:patient", pk=patient.pk)


@login_required
def plans_page(request):
    scope = scope_of(request.user)
    return render(
        request,
        "beds/plans.html",
        {"plans": selectors.plans(scope)[:30], "can_plan": scope.can(Cap.BEDS_PLAN)},
    )


@login_required
@require_POST
def propose(request):
    scope = scope_of(request.user)
    scope.require(Cap.BEDS_PLAN)
    region = region_or_404(scope, request.user.scope_region.code)
    try:
        plan = check_propose_plan(scope=scope, user=request.user, region=region)
    except BedsInvalid as e:
        _say(request, e)
        return redirect("beds:plans")
    return redirect("beds:plan", pk=plan.pk)


@login_required
def plan_page(request, pk):
    scope = scope_of(request.user)
    plan = selectors.plan_or_404(scope, pk)
    shown = request.GET.get("status", "")
    lines = selectors.lines(scope, plan)
    if shown in LineStatus.values:
        lines = lines.filter(status=shown)
    return render(
        request,
        "beds/plan.html",
        {
            "plan": plan,
            "progress": selectors.progress(scope, plan),
            "lines": [(ln, mask_name(ln.patient.person.name)) for ln in lines[:300]],
            "shown": shown,
            "statuses": LineStatus.choices,
            "can_confirm": scope.can(Cap.BEDS_PLAN)
            and plan.status == PlanStatus.PROPOSED
            and scope.contains(plan.region_path),
            "can_progress": scope.can(Cap.BEDS_PROGRESS) and plan.status == PlanStatus.CONFIRMED,
            "steps": [(s, LineStatus(s).label) for s in PROGRESS],
        },
    )


@login_required
@require_POST
def confirm(request, pk):
    scope = scope_of(request.user)
    scope.require(Cap.BEDS_PLAN)
    plan = selectors.plan_or_404(scope, pk)
    try:
        check_confirm_plan(scope=scope, user=request.user, plan=plan)
        messages.success(request, _("Plan confirmed; transport requested."))
    except BedsInvalid as e:
        _say(request, e)
    return redirect("beds:plan", pk=plan.pk)


@login_required
@require_POST
def progress(request, pk):
    scope = scope_of(request.user)
    line = selectors.line_or_404(scope, pk)
    try:
        check_report_progress(
            scope=scope,
            user=request.user,
            line=line,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("Progress reported."))
    except BedsInvalid as e:
        _say(request, e)
    return redirect("beds:plan", pk=line.plan_id)


@login_required
def tasks_page(request, pk):
    scope = scope_of(request.user)
    plan = selectors.plan_or_404(scope, pk)
    return render(
        request, "beds/tasks.html", {"plan": plan, "tasks": selectors.tasks(scope, plan)[:500]}
    )
