"""A volunteer's own pages on the phone: shifts to sign in and out of, hours, certificate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.params import int_or

from .. import selectors
from ..certificate import certificate_pdf
from ..services import VolunteerInvalid, check_sign_in, check_sign_out
from .common import client_id


def _me(request):
    scope_of(request.user).require(Cap.DUTY)
    return selectors.volunteer_of(request.user)


@login_required
def me_page(request):
    """Their shifts: the one signed in to, rostered ones to come, posts to sign in to, hours."""
    volunteer = _me(request)
    if volunteer is None:
        # an account with no volunteer record yet: the checkpoints it can staff, else why not
        if scope_of(request.user).can(Cap.CHECKPOINT) and request.user.scope_region_id:
            return redirect("health:checkpoints")
        return render(request, "volunteers/not_registered.html")
    duty = selectors.my_duty(volunteer)
    return render(
        request,
        "volunteers/me.html",
        {"duty": duty, "volunteer": volunteer, "client_id": client_id(request)},
    )


@login_required
@require_POST
def sign_in(request):
    volunteer = _me(request)
    if volunteer is None:
        raise Http404
    shift = post = None
    if request.POST.get("shift"):
        shift = selectors.my_shift(volunteer, int_or(request.POST["shift"], 0))
    else:
        post = selectors.posts_near(volunteer).filter(pk=int_or(request.POST.get("post"), 0))
        post = post.first()
        if post is None:
            messages.error(request, _("choose a post from the list"))
            return redirect("volunteers:me")
    try:
        check_sign_in(volunteer=volunteer, shift=shift, post=post, client_id=client_id(request))
    except VolunteerInvalid as e:
        for text in e.errors.values():
            messages.error(request, text)
    return redirect("volunteers:me")


@login_required
@require_POST
def sign_out(request, pk):
    volunteer = _me(request)
    if volunteer is None:
        raise Http404
    shift = selectors.my_shift(volunteer, pk)
    try:
        check_sign_out(volunteer=volunteer, shift=shift)
    except VolunteerInvalid as e:
        for text in e.errors.values():
            messages.error(request, text)
    return redirect("volunteers:me")


@login_required
def certificate(request):
    volunteer = _me(request)
    if volunteer is None:
        raise Http404
    hours = selectors.hours_of(volunteer)
    community = volunteer.home_area
    if community.level != "community" and community.parent is not None:
        community = community.parent
    pdf = certificate_pdf(hours, issuer=community.name)
    response = HttpResponse(pdf, content_type="application/pdf")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="volunteer-hours-{day}.pdf"'
    return response
