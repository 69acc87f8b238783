"""Persons inside the viewer's scope: access helpers and the search by name or number."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fangkong.accounts.scope import Cap, Scope
from fangkong.common.idnumbers import normalise as normalise_id
from fangkong.common.masking import ID_TAIL
from fangkong.regions.models import Building, Household, Region

from ..models import Person

_ID_TAIL = re.compile(r"^[0-9]*[0-9X]$")
MIN_ID_DIGITS = ID_TAIL
PHONE_DIGITS = 11
FULL_ID_DIGITS = 15  # the old resident ID had 15 digits, today's has 18


class SearchTooShort(ValueError):
    """A query the search refuses: too few digits, or digits the viewer is not shown."""


def persons(scope: Scope) -> QuerySet[Person]:
    """Every person the user may see."""
    scope.require(Cap.VIEW_PEOPLE)
    return scope.filter(Person.objects.all())


def person_or_404(scope: Scope, pk: int) -> Person:
    return scope.get_or_404(
        Person.objects.select_related("grid", "household__building").prefetch_related("tags"),
        cap=Cap.VIEW_PEOPLE,
        pk=pk,
    )


def building_or_404(scope: Scope, pk: int) -> Building:
    return scope.get_or_404(Building.objects.select_related("grid"), cap=Cap.VIEW_PEOPLE, pk=pk)


def household_or_404(scope: Scope, pk: int) -> Household:
    return scope.get_or_404(
        Household.objects.select_related("grid", "building"), cap=Cap.VIEW_PEOPLE, pk=pk
    )


def search(
    scope: Scope,
    q: str = "",
    *,
    region: Region | None = None,
    tag: str = "",
    household_id: int | None = None,
    unhoused: bool = False,
) -> QuerySet[Person]:
    """Persons by name prefix, the last 4 digits of an ID number (what its mask shows) or, for
    roles that may reveal, a whole ID or phone number.

    A masked viewer finds people only by what it is shown of them: a longer tail would let it
    try the hidden digits one at a time, a whole number would confirm a guess.
    ``unhoused``: only those without a building (a rural address, or no household at all).
    """
    qs = persons(scope).select_related("household__building").prefetch_related("tags")
    if region is not None:
        qs = qs.filter(region_path__startswith=region.path)
    if household_id is not None:
        qs = qs.filter(household_id=household_id)
    if tag:
        qs = qs.filter(tags__kind=tag)
    if unhoused:
        qs = qs.filter(household__building__isnull=True)
    q = (q or "").strip()
    if not q:
        return qs.order_by("id")
    digits = normalise_id(q)
    if _ID_TAIL.match(digits):
        return qs.filter(_number_match(scope, digits)).order_by("id")
    return qs.filter(name__startswith=q).order_by("name", "id")


def _number_match(scope: Scope, digits: str) -> Q:
    if len(digits) < MIN_ID_DIGITS:
        raise SearchTooShort(
            _("Type at least %(n)d digits of an ID number or a whole phone number")
            % {"n": MIN_ID_DIGITS}
        )
    if len(digits) == ID_TAIL:
        # Only documents whose mask shows all 4 (a short one shows fewer).
        return Q(id_rev__startswith=digits[::-1], id_number__regex=rf"^.{{{2 * ID_TAIL},}}$")
    if not scope.can(Cap.UNMASK):
        raise SearchTooShort(
            _("Type the last %(n)d digits of an ID number: your role is shown no more of it")
            % {"n": ID_TAIL}
        )
    if len(digits) == PHONE_DIGITS:
        return Q(phone=digits) | Q(id_number=digits)
    if len(digits) >= FULL_ID_DIGITS:
        return Q(id_number=digits)
    raise SearchTooShort(
        _("Type the last %(n)d digits of an ID number, the whole number, or a whole phone number")
        % {"n": ID_TAIL}
    )
