"""The sampling pages, made for a phone: scan a tube's barcode (a hand-held scanner types it and
presses Enter), then add people — the people picker, or the code of their resident record
scanned or typed — until the tube is full; close it early, remove a wrong swab."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.scope import Cap, scope_of

from .. import selectors
from ..choices import TubeStatus
from ..samplefile import person_id_of_scan
from ..services import (
    ScreeningInvalid,
    SwabData,
    check_add_swabs,
    check_close_tube,
    check_open_tube,
    check_remove_swab,
)
from .campaigns import uuid_or_none


def queue_text() -> dict[str, str]:
    """What the phone's queue (static/fangkong/sampling.js) says, in the user's language."""
    return {
        "waiting": _("{n} waiting to be sent"),
        "offline": _("no connection: they are sent when it returns"),
        "server": _("the server did not answer: trying again"),
        "login": _("log in again to send them"),
        "sent": _("{n} sent."),
        "repeat": _("Already swabbed in this campaign: stored, and marked as a repeat."),
        "closed": _("The tube is full and closed. Scan the next tube."),
        "refused": _("refused"),
        "dismiss": _("OK"),
        "barcode": _("A tube barcode is 4 to 40 letters and digits."),
        "cameraSecure": _(
            "The camera works only when the site is opened over HTTPS; use the scanner or type "
            "the code."
        ),
        "cameraMissing": _("The camera reader did not load; use the scanner or type the code."),
        "cameraRefused": _(
            "The camera could not be opened (allow it in the browser); use the scanner or type "
            "the code."
        ),
    }


@login_required
def sample_page(request, pk):
    """Scan a tube to open it (or go on with one of yours still open)."""
    scope = scope_of(request.user)
    scope.require(Cap.SAMPLING)
    campaign = selectors.campaign_or_404(scope, pk)
    errors = None
    if request.method == "POST":
        try:
            tube, _created = check_open_tube(
                user=request.user,
                scope=scope,
                campaign=campaign,
                barcode=request.POST.get("barcode", ""),
                client_id=uuid_or_none(request.POST.get("client_id")),
            )
        except ScreeningInvalid as e:
            errors = e.errors
        else:
            return redirect("screening:tube", pk=tube.pk)
    return render(
        request,
        "screening/sample.html",
        {
            "campaign": campaign,
            "open_tubes": selectors.open_tubes(scope, campaign, user_id=request.user.pk),
            "client_id": uuid.uuid4(),
            "errors": errors,
            "queue_text": queue_text(),
        },
    )


def _members(scope, tube):
    """The tube's swabs as the viewer may see them: names for the registry's roles; those who
    only sample (volunteers) see no part of the registry (docs/scope.md), so a swab and its
    time, no name."""
    named = scope.can(Cap.VIEW_PEOPLE)
    return [
        {
            "pk": s.pk,
            "name": s.person.name if named else "",
            "household": s.person.household.label if named and s.person.household else "",
            "repeat": s.repeat,
            "sampled_at": s.sampled_at,
        }
        for s in selectors.tube_swabs(scope, tube)
    ]


@login_required
def tube_page(request, pk):
    """A tube with its swabs; samplers add the next person here."""
    scope = scope_of(request.user)
    selectors.require_screening(scope)
    tube = selectors.tube_or_404(scope, pk)
    if request.method == "POST":
        _add(request, scope, tube)
        return redirect("screening:tube", pk=pk)
    members = _members(scope, tube)
    return render(
        request,
        "screening/tube.html",
        {
            "tube": tube,
            "campaign": tube.campaign,
            "members": members,
            "count": tube.samples.count(),
            "is_open": tube.status == TubeStatus.OPEN,
            "can_sample": scope.can(Cap.SAMPLING),
            "can_pick": scope.can(Cap.VIEW_PEOPLE),
            "client_id": uuid.uuid4(),
            "queue_text": queue_text(),
        },
    )


def _add(request, scope, tube) -> None:
    scope.require(Cap.SAMPLING)
    chosen = request.POST.get("person", "").strip() or request.POST.get("code", "")
    person_id = person_id_of_scan(chosen)
    if person_id is None:
        messages.error(
            request,
            _("Choose the person, or scan the code of their resident record.")
            if not chosen
            else _("“%(code)s” is not a resident's code.") % {"code": chosen[:40]},
        )
        return
    client_id = uuid_or_none(request.POST.get("client_id")) or uuid.uuid4()
    try:
        result = check_add_swabs(
            user=request.user,
            scope=scope,
            tube=tube,
            items=[SwabData(client_id=client_id, person_id=person_id)],
        )
    except ScreeningInvalid as e:
        for message in e.errors.values():
            messages.error(request, message)
        return
    for _index, reason in result.rejected:
        messages.error(request, reason)
    if result.repeats:
        messages.warning(
            request, _("Already swabbed in this campaign: stored, and marked as a repeat.")
        )
    if result.closed:
        messages.success(request, _("The tube is full and closed. Scan the next tube."))


@login_required
@require_POST
def tube_close(request, pk):
    scope = scope_of(request.user)
    scope.require(Cap.SAMPLING)
    tube = selectors.tube_or_404(scope, pk)
    try:
        check_close_tube(scope=scope, tube=tube)
    except ScreeningInvalid as e:
        for message in e.errors.values():
            messages.error(request, message)
        return redirect("screening:tube", pk=pk)
    messages.success(request, _("Tube %(code)s closed.") % {"code": tube.barcode})
    return redirect("screening:sample", pk=tube.campaign_id)


@login_required
@require_POST
def swab_remove(request, pk):
    """Remove a swab added by mistake, with the reason (audited)."""
    scope = scope_of(request.user)
    sample = selectors.sample_or_404(scope, pk)
    try:
        check_remove_swab(
            user=request.user,
            scope=scope,
            sample=sample,
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except ScreeningInvalid as e:
        for message in e.errors.values():
            messages.error(request, message)
    else:
        messages.success(request, _("Swab removed."))
    return redirect("screening:tube", pk=sample.tube_id)
