"""A person's record as each role may see it, duplicates, ledger exports and uploads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.models import Region

from .. import disclosure
from ..choices import TagKind
from ..disclosure import Detail, Field
from ..models import DuplicateDismissal, LedgerUpload, Person, PersonMerge
from .search import person_or_404


def person_record(person: Person, *, unmasked: bool = False) -> dict[str, object]:
    """One person as the API and exports show them: masked (the birth year, never the date or
    the age) unless ``unmasked`` (an audited reveal or export by a role that may unmask)."""
    view = disclosure.UNMASKED if unmasked else disclosure.MASKED
    household = person.household
    full_birth = view[Field.BIRTH] == Detail.FULL
    return {
        "id": person.pk,
        "name": person.name,
        "sex": person.sex,
        "id_type": person.id_type,
        "id_number": disclosure.id_number_as(person.id_number, view[Field.ID_NUMBER]),
        "birth_on": person.birth_on if full_birth else None,
        "birth_year": person.birth_on.year if person.birth_on else None,
        "age": person.age if full_birth else None,
        "phone": disclosure.phone_as(person.phone, view[Field.PHONE]),
        "grid_code": person.region_path.rstrip("/").rsplit("/", 1)[-1],
        "household_id": person.household_id,
        "household": household.label if household is not None else "",
        "relation": person.relation,
        "tags": [t.kind for t in person.tags.all()],
        "is_child": person.is_child,
    }


@dataclass(frozen=True)
class DuplicatePair:
    first: Person
    second: Person
    reason: str

    @property
    def both(self) -> tuple[Person, Person]:
        return (self.first, self.second)


def possible_duplicates(scope: Scope, region: Region, *, limit: int = 100) -> list[DuplicatePair]:
    """Records that may be one person: the same name and birth date under different documents,
    or the same name and phone. Pairs a staff member dismissed are left out.

    Grouping by birth date tells who shares one, so only roles that may reveal it ask.
    """
    scope.require(Cap.UNMASK)
    base = scope.filter(Person.objects.filter(region_path__startswith=region.path))
    groups: list[tuple[Q, str]] = []
    for fields, reason in (
        (("name", "birth_on"), _("same name and birth date")),
        (("name", "phone"), _("same name and phone")),
    ):
        rows = (
            base.exclude(**{f"{fields[1]}__isnull": True})
            .exclude(**{fields[1]: ""} if fields[1] == "phone" else {})
            .values(*fields)
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .order_by(*fields)[:limit]
        )
        groups += [(Q(**{f: row[f] for f in fields}), reason) for row in rows]
    if not groups:
        return []
    match = Q()
    for q, _reason in groups:
        match |= q
    members = list(base.filter(match).select_related("household__building").order_by("id"))
    ids = [p.pk for p in members]
    dismissed = set(
        DuplicateDismissal.objects.filter(first_id__in=ids).values_list("first_id", "second_id")
    )
    pairs: dict[tuple[int, int], DuplicatePair] = {}
    for q, reason in groups:
        key = tuple(sorted(q.children))
        group = [p for p in members if all(getattr(p, f) == v for f, v in key)]
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if (a.pk, b.pk) not in dismissed and (a.pk, b.pk) not in pairs:
                    pairs[(a.pk, b.pk)] = DuplicatePair(a, b, reason)
    return sorted(pairs.values(), key=lambda p: (p.first.name, p.first.pk, p.second.pk))[:limit]


def duplicate_pair_or_404(scope: Scope, first: int, second: int) -> tuple[Person, Person]:
    """Both persons of a pair, each inside the scope (404 otherwise)."""
    return person_or_404(scope, first), person_or_404(scope, second)


def ledger_export_rows(scope: Scope, region: Region, *, unmasked: bool):
    """The residents of a grid or community in the ledger's layout (see ``ledger.export_titles``),
    one building after another; masked unless ``unmasked`` (the birth column then holds the
    year, and identifiers in the notes are masked)."""
    from ..ledger import ID_EXPORT_WORDS, SEX_EXPORT_WORDS, category_word

    view = disclosure.UNMASKED if unmasked else disclosure.MASKED

    qs = (
        scope.filter(Person.objects.filter(region_path__startswith=region.path))
        .select_related("household__building", "grid")
        .prefetch_related("tags")
        .order_by(
            "grid__code",
            "household__building__name",
            "household__unit",
            "household__door",
            "household_id",
            "id",
        )
    )
    for n, p in enumerate(qs.iterator(chunk_size=2000), 1):
        h = p.household
        b = h.building if h is not None else None
        tags = list(p.tags.all())
        words = [category_word(t.kind, t.place, t.label) for t in tags]
        yield [
            n,
            p.name,
            SEX_EXPORT_WORDS.get(p.sex, ""),
            ID_EXPORT_WORDS.get(p.id_type, ""),
            disclosure.id_number_as(p.id_number, view[Field.ID_NUMBER]),
            _birth_cell(p.birth_on, view[Field.BIRTH]),
            disclosure.phone_as(p.phone, view[Field.PHONE]),
            b.name if b else "",
            h.unit if h and b else "",
            h.door if h and b else "",
            h.address if h and not b else "",
            p.relation,
            "、".join(w for w in words if w),
            "是" if any(t.kind == TagKind.ELDERLY_ALONE for t in tags) else "",
            disclosure.notes_as(p.notes, view[Field.NOTES]),
            p.grid.code,
        ]


def _birth_cell(birth_on: dt.date | None, detail: Detail) -> str:
    shown = disclosure.birth_as(birth_on, detail)
    return shown.isoformat() if isinstance(shown, dt.date) else str(shown or "")


def person_merges(scope: Scope, person: Person) -> list[PersonMerge]:
    """The records merged into ``person``, oldest first (their documents are shown masked, and
    in full only through an audited reveal)."""
    scope.require(Cap.VIEW_PEOPLE)
    return list(scope.filter(PersonMerge.objects.filter(person=person)).order_by("merged_at"))


def ledger_uploads(user, *, limit: int = 10) -> QuerySet[LedgerUpload]:
    """The user's own recent ledger uploads (their rejects files hold full ID numbers)."""
    return LedgerUpload.objects.filter(user=user).select_related("region")[:limit]


def ledger_upload_or_none(user, upload_id) -> LedgerUpload | None:
    return LedgerUpload.objects.filter(user=user, upload_id=upload_id).first()


def ledger_upload_or_404(user, upload_id) -> LedgerUpload:
    upload = ledger_upload_or_none(user, upload_id)
    if upload is None:
        raise Http404
    return upload
