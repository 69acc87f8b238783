"""Reads of the region tree; every function takes the user's scope first."""

from django.db.models import QuerySet
from django.http import Http404

from fangkong.common.scope import Scope

from .codes import canonical_code
from .models import Region


def regions(scope: Scope) -> QuerySet[Region]:
    """Regions inside the scope (the scope region and everything under it)."""
    return scope.filter(Region.objects.select_related("parent"), field="path")


def region_or_404(scope: Scope, code: str) -> Region:
    """A region inside the scope (whatever the role: the tree itself is not personal data);
    the code as typed (a street's 9-digit township code, full-width digits)."""
    return scope.get_or_404(
        Region.objects.select_related("parent"), cap=None, field="path", code=canonical_code(code)
    )


def region_or_home(scope: Scope, code: str, home: Region | None) -> Region:
    """The region a page asks for (``?region=``), else the user's own region; 404 outside the
    scope or when the user has none."""
    if code:
        return region_or_404(scope, code)
    if home is None:
        raise Http404
    return home


def breadcrumbs(scope: Scope, region: Region) -> list[Region]:
    """The region's ancestors the user may see, from their scope region down to it."""
    codes = [c for c in region.path.split("/") if c]
    by_code = {r.code: r for r in regions(scope).filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]
