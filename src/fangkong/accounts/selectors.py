"""Reads of the audit log, scoped like everything else."""

from django.db.models import QuerySet

from .choices import AuditAction
from .models import AuditEntry
from .scope import Cap, Scope


def audit_entries(scope: Scope, *, action: str = "", username: str = "") -> QuerySet[AuditEntry]:
    """Entries about records inside the scope (reveals and exports), newest first."""
    scope.require(Cap.VIEW_AUDIT)
    qs = scope.filter(AuditEntry.objects.exclude(region_path="")).order_by("-at", "-id")
    if action in AuditAction.values:
        qs = qs.filter(action=action)
    if username:
        qs = qs.filter(username=username.strip())
    return qs
