"""Cases, their contacts, and the transmission chains of a region."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.params import date_or, int_or
from fangkong.people.selectors import SearchTooShort, search
from fangkong.regions.selectors import breadcrumbs

from .. import selectors
from ..choices import CaseClass, ContactKind
from ..services import CheckInInvalid, check_add_contact, check_close_case, check_report_case
from .staff import _region


def _find(scope, request):
    """People matching the ?q= search (name prefix, phone, ID tail), for picking one."""
    q = request.GET.get("q", "").strip()
    if not q:
        return q, []
    try:
        return q, list(search(scope, q)[:20])
    except SearchTooShort:
        return q, []


@login_required
def cases_page(request):
    scope = scope_of(request.user)
    scope.require(Cap.HEALTH_VIEW)
    region = _region(request, scope)
    q, found = _find(scope, request)
    return render(
        request,
        "health/cases.html",
        {
            "region": region,
            "crumbs": breadcrumbs(scope, region),
            "chains": selectors.transmission_chains(scope, region),
            "classes": CaseClass.choices,
            "q": q,
            # each form its own id: the same form posted again returns the case it made
            "found": [(p, uuid.uuid4()) for p in found],
            "can_report": scope.can(Cap.CASES),
            "errors": request.session.pop("health_errors", None),
        },
    )


@login_required
@require_POST
def case_new(request):
    scope = scope_of(request.user)
    person = selectors.person_or_404(scope, int_or(request.POST.get("person"), 0))
    try:
        case = check_report_case(
            user=request.user,
            scope=scope,
            person=person,
            classification=request.POST.get("classification", ""),
            onset_on=date_or(request.POST.get("onset_on")),
            report_on=date_or(request.POST.get("report_on")),
            note=request.POST.get("note", ""),
            client_id=_uuid_or_none(request.POST.get("client_id")),
        )
    except CheckInInvalid as e:
        request.session["health_errors"] = e.errors
        return redirect("health:cases")
    return redirect("health:case", pk=case.pk)


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


@login_required
def case_page(request, pk):
    scope = scope_of(request.user)
    case = selectors.case_or_404(scope, pk)
    q, found = _find(scope, request)
    return render(
        request,
        "health/case.html",
        {
            "case": case,
            "shown": selectors.linked(scope, case.person, selectors.CASE_ELSEWHERE),
            "contacts": selectors.case_contacts(scope, case),
            "kinds": ContactKind.choices,
            "q": q,
            "found": found,
            "can_report": scope.can(Cap.CASES),
            "errors": request.session.pop("health_errors", None),
        },
    )


@login_required
@require_POST
def contact_new(request, pk):
    """Add a contact to the case: tagged and put under watch by the region's rule."""
    scope = scope_of(request.user)
    case = selectors.case_or_404(scope, pk)
    person = selectors.person_or_404(scope, int_or(request.POST.get("person"), 0))
    via = request.POST.get("via")
    try:
        check_add_contact(
            user=request.user,
            scope=scope,
            case=case,
            person=person,
            kind=request.POST.get("kind", ""),
            last_exposure_on=date_or(request.POST.get("last_exposure_on")),  # none: today
            via=selectors.contact_or_404(scope, int_or(via, 0)) if via else None,
        )
    except CheckInInvalid as e:
        request.session["health_errors"] = e.errors
    return redirect("health:case", pk=pk)


@login_required
@require_POST
def case_close(request, pk):
    """Close the case (recovered, ruled out, ...) with a reason."""
    scope = scope_of(request.user)
    case = selectors.case_or_404(scope, pk)
    try:
        check_close_case(
            user=request.user, scope=scope, case=case, reason=request.POST.get("reason", "")
        )
    except CheckInInvalid as e:
        request.session["health_errors"] = e.errors
    return redirect("health:case", pk=pk)
