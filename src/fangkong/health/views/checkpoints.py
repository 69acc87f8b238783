"""Checkpoints (卡口): the list, and one checkpoint's fast passage entry with its daily counts."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.params import time_or
from fangkong.regions.selectors import breadcrumbs

from .. import selectors
from ..choices import Direction, PassageOutcome
from ..services import (
    CheckInInvalid,
    check_create_checkpoint,
    check_log_passage,
    check_look_up_passage_person,
)
from .staff import _region


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
        check_log_passage(
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
    return None
