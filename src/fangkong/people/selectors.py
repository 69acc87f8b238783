"""Reads of the residents' registry for screens, exports and the API; all scoped."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Length
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.scope import Cap, Scope
from fangkong.common.idnumbers import normalise as normalise_id
from fangkong.common.masking import ID_TAIL, id_tail_shown
from fangkong.regions.models import Building, Household, Region

from . import disclosure
from .choices import TagKind
from .disclosure import Detail, Field
from .models import DuplicateDismissal, LedgerUpload, Person, PersonMerge, PersonTag, child_cutoff

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


def tag_names() -> dict[str, str]:
    return {k.value: str(k.label) for k in TagKind}


@dataclass
class Counts:
    """Residents and tag counts of one region or building."""

    residents: int = 0
    households: int = 0
    children: int = 0
    tags: dict[str, int] = field(default_factory=dict)

    def add_tag(self, kind: str, n: int) -> None:
        self.tags[kind] = self.tags.get(kind, 0) + n

    def add(self, other: Counts) -> None:
        self.residents += other.residents
        self.households += other.households
        self.children += other.children
        for k, n in other.tags.items():
            self.add_tag(k, n)

    def tag_rows(self) -> list[tuple[str, str, int]]:
        return [(k.value, str(k.label), self.tags.get(k.value, 0)) for k in TagKind]


@dataclass
class RegionOverview:
    region: Region
    total: Counts
    children: list[tuple[Region, Counts]]
    counted_at: dt.datetime


# A region's counts scan its whole subtree (a third of a second for a city of a million), so
# they are kept this long: an overview may be a few minutes old, and says when it was counted.
REGION_COUNTS_SECONDS = 300


def _counts_by_grid_path(scope: Scope, region: Region) -> dict[str, Counts]:
    cutoff = child_cutoff(timezone.localdate())
    by_path: dict[str, Counts] = defaultdict(Counts)
    rows = (
        persons(scope)
        .filter(region_path__startswith=region.path)
        .values("region_path")
        .annotate(n=Count("id"), kids=Count("id", filter=Q(birth_on__gt=cutoff)))
        .order_by()
    )
    for row in rows:
        by_path[row["region_path"]].residents += row["n"]
        by_path[row["region_path"]].children += row["kids"]
    households = (
        scope.filter(Household.objects.filter(region_path__startswith=region.path))
        .values("region_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in households:
        by_path[row["region_path"]].households += row["n"]
    tags = (
        scope.filter(PersonTag.objects.filter(region_path__startswith=region.path))
        .values("region_path", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in tags:
        by_path[row["region_path"]].add_tag(row["kind"], row["n"])
    return dict(by_path)


def region_overview(scope: Scope, region: Region) -> RegionOverview:
    """Counts of residents, households, children and each tag, for the region and each child."""
    scope.require(Cap.VIEW_PEOPLE)
    if not scope.contains(region.path):
        raise Http404
    # Everything under a region the user may see is inside their scope, so one cached count
    # serves every user who reaches this region.
    counted_at, by_path = cache.get_or_set(
        f"region-counts:{region.path}:{timezone.localdate()}",
        lambda: (timezone.now(), _counts_by_grid_path(scope, region)),
        REGION_COUNTS_SECONDS,
    )
    children = list(scope.filter(region.children.all(), field="path").order_by("code"))
    child_counts = {c.path: Counts() for c in children}
    total = Counts()
    child_segments = region.depth + 2  # a child's path has one code more than the region's
    for path, counts in by_path.items():
        total.add(counts)
        child = child_counts.get("/".join(path.split("/")[:child_segments]) + "/")
        if child is not None:
            child.add(counts)
    return RegionOverview(
        region=region,
        total=total,
        children=[(c, child_counts[c.path]) for c in children],
        counted_at=counted_at,
    )


def grid_buildings(scope: Scope, grid: Region) -> tuple[list[tuple[Building, Counts]], Counts]:
    """The buildings of a grid with their counts, and the grid's residents without a building."""
    scope.require(Cap.VIEW_PEOPLE)
    buildings = list(
        scope.filter(Building.objects.filter(grid=grid)).order_by(Length("name"), "name")
    )  # 2栋 before 10栋
    counts: dict[int | None, Counts] = defaultdict(Counts)
    for row in (
        scope.filter(Household.objects.filter(grid=grid))
        .values("building_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["building_id"]].households += row["n"]
    cutoff = child_cutoff(timezone.localdate())
    for row in (
        persons(scope)
        .filter(grid=grid)
        .values("household__building_id")
        .annotate(n=Count("id"), kids=Count("id", filter=Q(birth_on__gt=cutoff)))
        .order_by()
    ):
        c = counts[row["household__building_id"]]
        c.residents += row["n"]
        c.children += row["kids"]
    for row in (
        scope.filter(PersonTag.objects.filter(person__grid=grid))
        .values("person__household__building_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["person__household__building_id"]].add_tag(row["kind"], row["n"])
    return [(b, counts[b.pk]) for b in buildings], counts[None]


def building_units(scope: Scope, building: Building) -> list[tuple[str, int]]:
    """The units (单元) of a building with their household counts, in order."""
    scope.require(Cap.VIEW_PEOPLE)
    rows = (
        scope.filter(Household.objects.filter(building=building))
        .values("unit")
        .annotate(n=Count("id"))
        .order_by("unit")
    )
    units = [(r["unit"], r["n"]) for r in rows]
    return sorted(units, key=lambda u: (len(u[0]), u[0]))  # "2" before "10"


def building_households(scope: Scope, building: Building, unit: str) -> QuerySet[Household]:
    """Households of one unit of a building, with members and their tags prefetched."""
    scope.require(Cap.VIEW_PEOPLE)
    members = Person.objects.prefetch_related("tags").order_by("id")
    return (
        scope.filter(Household.objects.filter(building=building, unit=unit))
        .select_related("building")
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by(Length("door"), "door", "id")  # 101, 102, …, 1001: floors in order
    )


def household_members(scope: Scope, household: Household) -> list[Person]:
    return list(search(scope, household_id=household.pk))


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
    from .ledger import ID_EXPORT_WORDS, SEX_EXPORT_WORDS, category_word

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


# Pickers: choosing a person, a building or a door in a form (people/_picker.html). A row says
# what tells namesakes apart, as the viewer may see it: never the birth date of a masked role,
# never more of an ID number than its mask shows.

PICK_LIMIT = 20
_PICK_FIELDS = (
    "name",
    "sex",
    "id_number",
    "birth_on",
    "region_path",
    "grid__name",
    "household__unit",
    "household__door",
    "household__address",
    "household__building__name",
)


@dataclass(frozen=True)
class PickRow:
    """One person as a picker lists them."""

    pk: int
    name: str
    sex: str
    born: dt.date | int | None  # the year, unless the viewer is shown the date
    place: str  # building, unit and door, or the address
    grid: str
    id_tail: str  # the last characters of the ID number, as its mask shows them


@dataclass(frozen=True)
class Picked:
    """What a picker found: at most ``limit`` rows, and whether there were more."""

    rows: list
    more: bool = False


def _pick_row(person: Person, view: dict[Field, Detail]) -> PickRow:
    household = person.household
    home = view[Field.HOUSEHOLD] != Detail.NONE
    number = person.id_number
    return PickRow(
        pk=person.pk,
        name=person.name if view[Field.NAME] != Detail.NONE else "",
        sex=person.get_sex_display() if view[Field.SEX] != Detail.NONE else "",
        born=disclosure.birth_as(person.birth_on, view[Field.BIRTH]),
        place=household.label if household is not None and home else "",
        grid=person.grid.name if home else "",
        id_tail=number[len(number) - id_tail_shown(number) :] if number else "",
    )


def pick_people(scope: Scope, query: str, *, limit: int = PICK_LIMIT) -> Picked:
    """Persons in the scope for a picker, by the rules of ``search`` (a name prefix, or the
    digits the viewer may search); nothing for an empty query. One query; a name prefix runs
    on the (name, id) index, so the first ``limit`` by name end the scan.

    Raises SearchTooShort as ``search`` does.
    """
    scope.require(Cap.VIEW_PEOPLE)
    query = (query or "").strip()
    if not query:
        return Picked([])
    qs = search(scope, query).prefetch_related(None).select_related("grid").only(*_PICK_FIELDS)
    found = list(qs[: limit + 1])
    view = disclosure.fields_for(scope)
    return Picked([_pick_row(p, view) for p in found[:limit]], more=len(found) > limit)


def picked_person(scope: Scope, pk: int) -> PickRow:
    """The chosen person's line, inside the scope (404 otherwise)."""
    qs = Person.objects.select_related("grid", "household__building").only(*_PICK_FIELDS)
    person = scope.get_or_404(qs, cap=Cap.VIEW_PEOPLE, pk=pk)
    return _pick_row(person, disclosure.fields_for(scope))


@dataclass(frozen=True)
class PickDoors:
    """A building's units and the doors of one of them, for the household picker."""

    building: Building
    units: list[tuple[str, int]]
    unit: str
    doors: list[Household]


def pick_buildings(scope: Scope, query: str, *, limit: int = PICK_LIMIT) -> Picked:
    """Buildings in the scope whose name starts with ``query``, with their grid (one query):
    "1栋" is in many grids."""
    scope.require(Cap.VIEW_PEOPLE)
    query = (query or "").strip()
    if not query:
        return Picked([])
    qs = (
        scope.filter(Building.objects.filter(name__startswith=query))
        .select_related("grid")
        .order_by(Length("name"), "name", "grid__code")  # 2栋 before 10栋
    )
    found = list(qs[: limit + 1])
    return Picked(found[:limit], more=len(found) > limit)


def pick_doors(scope: Scope, building_pk: int, unit: str | None = None) -> PickDoors:
    """The units of a building in the scope (404 otherwise) and the doors of ``unit`` (the
    first unit if not one of them), floors in order: 101, 102, …, 1001."""
    building = building_or_404(scope, building_pk)
    units = building_units(scope, building)
    if unit not in {u for u, _n in units}:
        unit = units[0][0] if units else ""
    doors = list(
        scope.filter(Household.objects.filter(building=building, unit=unit))
        .only("unit", "door", "building_id")
        .order_by(Length("door"), "door", "id")
    )
    return PickDoors(building, units, unit, doors)


def picked_household(scope: Scope, pk: int) -> Household:
    """The chosen household, inside the scope (404 otherwise)."""
    return household_or_404(scope, pk)
