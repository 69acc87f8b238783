"""Reads of the audit log, scoped like everything else."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from .choices import AuditAction, Role
from .models import AuditEntry, User
from .scope import Cap, Scope


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_entries(
    scope: Scope,
    *,
    action: str = "",
    username: str = "",
    person_id: int | None = None,
    ip: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Entries about records and accounts inside the scope, newest first.

    An entry belongs to the region of the record it is about (a person, a ledger) or, for
    logins, failed logins and lockouts, to the account's scope region. Entries that belong to
    no region — failed logins of usernames no account has, lockouts of an address, accounts
    without a region — are shown to headquarters only.
    """
    scope.require(Cap.VIEW_AUDIT)
    qs = AuditEntry.objects.order_by("-at", "-id")
    if scope.role == Role.HEADQUARTERS:
        qs = qs.filter(Q(region_path__startswith=scope.path) | Q(region_path=""))
    else:
        qs = scope.filter(qs)
    if action in AuditAction.values:
        qs = qs.filter(action=action)
    if username := username.strip():
        account = User.objects.filter(username=username).values_list("pk", flat=True).first()
        # by the account (its (user, at) index) or, for names no account has, as typed
        qs = qs.filter(user_id=account) if account else qs.filter(username=username)
    if person_id is not None:
        qs = qs.filter(object_type="person", object_id=str(person_id))
    if ip:
        qs = qs.filter(ip=ip)
    if since is not None:
        qs = qs.filter(at__gte=_start_of(since))
    if until is not None:
        qs = qs.filter(at__lt=_start_of(until + dt.timedelta(days=1)))
    return qs
