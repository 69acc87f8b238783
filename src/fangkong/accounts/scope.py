"""The one place that decides what a user may see and do.

Every list, detail, export, count and API call asks ``scope_of(user)`` and filters through
``Scope.filter`` (rows carry a materialised ``region_path``), so a record outside the user's
subtree simply does not exist for them: lists leave it out, details answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from .choices import Role

M = TypeVar("M", bound=Model)


class Cap(StrEnum):
    VIEW_PEOPLE = "view_people"  # the registry: regions with counts, buildings, persons
    UNMASK = "unmask"  # reveal full ID numbers and phones (audited)
    EXPORT_PEOPLE = "export_people"  # download lists of persons (audited)
    VIEW_AUDIT = "view_audit"  # read who revealed or exported whom, in the region
    EDIT_PEOPLE = "edit_people"  # register residents
    HEALTH_VIEW = "health_view"  # check-ins, alerts, observation, cases: lists and counts
    HEALTH_RECORD = "health_record"  # enter check-ins, close alerts, put people under watch
    CASES = "cases"  # report cases and trace their contacts
    CHECKPOINT = "checkpoint"  # staff a checkpoint: log passages


_REGISTRY_STAFF = frozenset({Cap.VIEW_PEOPLE, Cap.EXPORT_PEOPLE, Cap.HEALTH_VIEW})
_SUPERVISORS = _REGISTRY_STAFF | {Cap.VIEW_AUDIT, Cap.CASES}
_FRONT_LINE = frozenset(
    {
        Cap.VIEW_PEOPLE,
        Cap.EXPORT_PEOPLE,
        Cap.UNMASK,
        Cap.EDIT_PEOPLE,
        Cap.HEALTH_VIEW,
        Cap.HEALTH_RECORD,
        Cap.CHECKPOINT,
    }
)

# Grid workers and community staff call and register residents, so they may register them and
# reveal identifiers, and they enter check-ins and follow people under observation; community,
# street and above report cases and trace contacts; volunteers staff checkpoints;
# street, district and city staff work with masked data, and district and city staff read the
# audit log of their region. Warehouse, lab, hospital and volunteer accounts see no part of the
# residents' registry.
ROLE_CAPS: dict[str, frozenset[Cap]] = {
    Role.HEADQUARTERS: _SUPERVISORS,
    Role.DISTRICT: _SUPERVISORS,
    Role.STREET: _REGISTRY_STAFF | {Cap.CASES, Cap.CHECKPOINT},
    Role.COMMUNITY: _FRONT_LINE | {Cap.CASES},
    Role.GRID_WORKER: _FRONT_LINE,
    Role.WAREHOUSE: frozenset(),
    Role.LAB: frozenset(),
    Role.HOSPITAL: frozenset(),
    Role.VOLUNTEER: frozenset({Cap.CHECKPOINT}),  # volunteers staff checkpoints
}


@dataclass(frozen=True)
class Scope:
    """A user's reach: a region path prefix (None: nothing) and capabilities."""

    user_id: int | None
    role: str
    path: str | None
    caps: frozenset[Cap]

    def can(self, cap: Cap) -> bool:
        return self.path is not None and cap in self.caps

    def require(self, cap: Cap) -> None:
        if not self.can(cap):
            raise PermissionDenied

    def contains(self, path: str) -> bool:
        return self.path is not None and path.startswith(self.path)

    def filter(self, qs: QuerySet[M], field: str = "region_path") -> QuerySet[M]:
        if self.path is None:
            return qs.none()
        return qs.filter(**{f"{field}__startswith": self.path})

    def get_or_404(
        self, qs: QuerySet[M], *, cap: Cap | None, field: str = "region_path", **lookup: object
    ) -> M:
        """The object if it exists inside the scope and the user has ``cap`` (None: any role);
        else 404, or 403 for a role without ``cap``."""
        if cap is not None:
            self.require(cap)
        obj = self.filter(qs, field).filter(**lookup).first()
        if obj is None:
            raise Http404
        return obj


NOBODY = Scope(user_id=None, role="", path=None, caps=frozenset())


def scope_of(user) -> Scope:
    """The scope of a (possibly anonymous) user; cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    cached = getattr(user, "_fangkong_scope", None)
    if cached is not None:
        return cached
    region = user.scope_region
    scope = Scope(
        user_id=user.pk,
        role=user.role,
        path=region.path if region is not None else None,
        caps=ROLE_CAPS.get(user.role, frozenset()),
    )
    user._fangkong_scope = scope
    return scope
