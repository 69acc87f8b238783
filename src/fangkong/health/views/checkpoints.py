"""Checkpoints (卡口): the list, and one checkpoint's fast passage entry with its daily counts."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.params import time_or
from fangkong.regions.selectors import breadcrumbs

from .. import selectors
from ..choices import Direction, ObservationKind, PassageOutcome
from ..rules import rules_for
from ..services import (
    CheckInInvalid,
    check_create_checkpoint,
    check_log_passage,
    check_look_up_passage_person,
)
from .staff import _region

SHOULD_BE_IN = {
    ObservationKind.HOME_OBSERVATION: gettext_lazy("Under home observation: should not be out"),
    ObservationKind.HOME_ISOLATION: gettext_lazy("Under home isolation: should not be out"),
    ObservationKind.CENTRAL_QUARANTINE: gettext_lazy(
        "Should be in central quarantine: should not be out"
    ),
}


@login_required
def checkpoints_page(request):
    scope = scope_of(request.user)
    selectors.require_checkpoints(scope)
    region = _region(request, scope)
    errors = None
    if request.method == "POST":
        try:
            checkpoint = check_create_checkpoint(
                scope=scope,
                region=region,
                name=request.POST.get("name", ""),
                opens_at=time_or(request.POST.get("opens_at"), dt.time(7)),
                closes_at=time_or(request.POST.get("closes_at"), dt.time(22)),
                overnight=bool(request.POST.get("overnight")),
            )
        except CheckInInvalid as e:
            errors = e.errors
        else:
            return redirect("health:checkpoint", pk=checkpoint.pk)
    return render(
        request,
        "health/checkpoints.html",
        {
            "region": region,
            "crumbs": breadcrumbs(scope, region),
            "checkpoints": selectors.checkpoints_in(scope, region),
            "can_create": scope.can(Cap.CHECKPOINT),
            "errors": errors,
        },
    )


@login_required
def checkpoint_page(request, pk):
    """Log a passage in a few taps (direction, temperature, outcome; ID or plate optional)."""
    scope = scope_of(request.user)
    checkpoint = selectors.checkpoint_or_404(scope, pk)
    errors = None
    if request.method == "POST":
        errors = _log(request, scope, checkpoint)
        if errors is None:
            return redirect("health:checkpoint", pk=pk)
    today = timezone.localdate()
    return render(
        request,
        "health/checkpoint.html",
        {
            "checkpoint": checkpoint,
            "passages": selectors.passages_on(scope, checkpoint, today)[:50],
            "counts": selectors.passage_counts(scope, checkpoint),
            "directions": Direction.choices,
            "outcomes": PassageOutcome.choices,
            "client_id": uuid.uuid4(),
            "can_log": scope.can(Cap.CHECKPOINT),
            "errors": errors,
        },
    )


def _log(request, scope, checkpoint):
    try:
        client_id = uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        client_id = uuid.uuid4()
    try:
        # Registered or not, the post sees the same: "under observation" or nothing.
        person_id = check_look_up_passage_person(
            user=request.user,
            scope=scope,
            checkpoint=checkpoint,
            id_number=request.POST.get("id_number", ""),
            request=request,
        )
        passage, _created = check_log_passage(
            user=request.user,
            scope=scope,
            checkpoint=checkpoint,
            client_id=client_id,
            direction=request.POST.get("direction", ""),
            outcome=request.POST.get("outcome", ""),
            temperature=request.POST.get("temperature") or None,
            person_id=person_id,
            plate=request.POST.get("plate", ""),
            reason=request.POST.get("reason", ""),
        )
    except CheckInInvalid as e:
        return e.errors
    _tell_the_post(request, scope, passage)
    return None


def _tell_the_post(request, scope, passage) -> None:
    """What the post must act on about the person just logged, and nothing of who they are."""
    follow = selectors.passage_follow_up(scope, passage)
    if follow.confined:
        messages.warning(request, SHOULD_BE_IN[follow.confined])
    # Told for every fever reading, registered or not: telling only when an alert opened would
    # say which typed numbers are registered here (docs/scope.md: no oracle).
    fever = rules_for(passage.region_path).fever_threshold
    if follow.alerted or (passage.temperature is not None and passage.temperature >= fever):
        messages.warning(
            request,
            _(
                "Fever: follow the fever procedure. If the person is registered here, their grid "
                "worker has been told to follow up."
            ),
        )
