"""Cases, their contacts, and the transmission chains of a region."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.params import date_or, int_or
from fangkong.regions.selectors import breadcrumbs

from .. import selectors
from ..choices import CaseClass, ContactKind
from ..services import CheckInInvalid, check_add_contact, check_close_case, check_report_case
from .staff import _region


def _chosen_or_404(request, scope):
    """The person a form's picker chose (people/_picker.html), inside the scope; None when the
    form was sent before anyone was chosen."""
    chosen = request.POST.get("person", "").strip()
    if not chosen:
        scope.require(Cap.CASES)
        request.session["health_errors"] = {"person": _("Choose the person first.")}
        return None
    return selectors.person_or_404(scope, int_or(chosen, 0))


@login_required
def cases_page(request):
    scope = scope_of(request.user)
    scope.require(Cap.HEALTH_VIEW)
    region = _region(request, scope)
    return render(
        request,
        "health/cases.html",
        {
            "region": region,
            "crumbs": breadcrumbs(scope, region),
            "chains": selectors.transmission_chains(scope, region),
            "classes": CaseClass.choices,
            # the form's own id: the same form posted again returns the case it made
            "client_id": uuid.uuid4(),
            "can_report": scope.can(Cap.CASES),
            "errors": request.session.pop("health_errors", None),
        },
    )


@login_required
@require_POST
def case_new(request):
    scope = scope_of(request.user)
    person = _chosen_or_404(request, scope)
    if person is None:
        return redirect("health:cases")
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
    return render(
        request,
        "health/case.html",
        {
            "case": case,
            "shown": selectors.linked(scope, case.person, selectors.CASE_ELSEWHERE),
            "contacts": selectors.case_contacts(scope, case),
            "kinds": ContactKind.choices,
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
    person = _chosen_or_404(request, scope)
    if person is None:
        return redirect("health:case", pk=pk)
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
