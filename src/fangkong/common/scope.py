"""A reach in the region tree: a path prefix and what may be done there.

Rows carry a materialised ``region_path``; ``Scope.filter`` keeps those under the prefix, so a
record outside the user's subtree simply does not exist for them: lists leave it out, details
answer 404. The capabilities a role has are decided in ``fangkong.accounts.scope`` (which
builds a user's Scope with ``scope_of``); the region tree itself needs only the path
(``reach_of``), so ``regions`` imports this module and never ``accounts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    """A user's reach: a region path prefix (None: nothing) and capabilities."""

    user_id: int | None
    role: str
    path: str | None
    caps: frozenset[str]

    def can(self, cap: str) -> bool:
        return self.path is not None and cap in self.caps

    def require(self, cap: str) -> None:
        if not self.can(cap):
            raise PermissionDenied

    def contains(self, path: str) -> bool:
        return self.path is not None and path.startswith(self.path)

    def filter(self, qs: QuerySet[M], field: str = "region_path") -> QuerySet[M]:
        if self.path is None:
            return qs.none()
        return qs.filter(**{f"{field}__startswith": self.path})

    def get_or_404(
        self, qs: QuerySet[M], *, cap: str | None, field: str = "region_path", **lookup: object
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


def reach_of(user) -> Scope:
    """Where a (possibly anonymous) user stands in the tree, with no capabilities: enough for
    reading the tree itself, which is not personal data. ``accounts.scope.scope_of`` adds the
    role's capabilities to it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    region = user.scope_region
    return Scope(
        user_id=user.pk,
        role=user.role,
        path=region.path if region is not None else None,
        caps=frozenset(),
    )
