"""The volunteer's phone: my tasks, one task (accept or decline; picked up, delivered, could
not; money advanced with the receipt's photo)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.scope import scope_of

from .. import selectors
from ..services import (
    HelpInvalid,
    check_answer,
    check_progress,
    check_record_advance,
)
from ..services.advances import MAX_RECEIPT_BYTES


@login_required
def tasks(request):
    scope = scope_of(request.user)
    found = selectors.my_tasks(scope)
    return render(
        request,
        "assistance/tasks.html",
        {"cards": [selectors.card(t) for t in found], "now": timezone.now()},
    )


@login_required
def task(request, pk):
    scope = scope_of(request.user)
    found = selectors.my_task_or_404(scope, pk)
    return render(
        request,
        "assistance/task.html",
        {
            "c": selectors.card(found, detail=True, request=request, user=request.user),
            "advances": list(found.advances.order_by("recorded_at", "id")),
            "client_id": uuid.uuid4(),
            "max_mb": MAX_RECEIPT_BYTES // 1024 // 1024,
        },
    )


@login_required
@require_POST
def answer(request, pk):
    scope = scope_of(request.user)
    found = selectors.my_task_or_404(scope, pk)
    accept = request.POST.get("answer") == "accept"
    try:
        check_answer(
            user=request.user, task=found, accept=accept, reason=request.POST.get("reason", "")
        )
    except HelpInvalid as e:
        for text in e.errors.values():
            messages.error(request, text)
        return redirect("assistance:task", found.pk)
    if not accept:
        messages.success(request, _("Declined: the community will find someone else."))
        return redirect("assistance:tasks")
    return redirect("assistance:task", found.pk)


@login_required
@require_POST
def step(request, pk):
    scope = scope_of(request.user)
    found = selectors.my_task_or_404(scope, pk)
    try:
        done = check_progress(
            user=request.user,
            task=found,
            step=request.POST.get("step", ""),
            reason=request.POST.get("reason", ""),
        )
    except HelpInvalid as e:
        for text in e.errors.values():
            messages.error(request, text)
    else:
        messages.success(request, done.get_status_display())
    return redirect("assistance:task", found.pk)


@login_required
@require_POST
def advance(request, pk):
    scope = scope_of(request.user)
    found = selectors.my_task_or_404(scope, pk)
    try:
        client_id = uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        client_id = uuid.uuid4()
    try:
        check_record_advance(
            user=request.user,
            task=found,
            amount=request.POST.get("amount", "")[:20],
            receipt=request.FILES.get("receipt"),
            client_id=client_id,
        )
    except HelpInvalid as e:
        for text in e.errors.values():
            messages.error(request, text)
    else:
        messages.success(request, _("Money advanced recorded."))
    return redirect("assistance:task", found.pk)
