import datetime as dt

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.paging import page_of
from fangkong.regions.selectors import region_or_404

from . import selectors
from .choices import IdType, Sex, TagKind
from .services import PersonInvalid, TagData, check_register_person, reveal_person

router = Router(tags=["persons"])
PAGE_SIZE = 50


class PersonOut(Schema):
    id: int
    name: str
    sex: Sex
    id_type: IdType
    id_number: str
    birth_on: dt.date | None
    age: int | None
    phone: str
    grid_code: str
    household_id: int | None
    household: str
    relation: str
    tags: list[TagKind]
    is_child: bool


class PersonIn(Schema):
    name: str
    id_type: IdType = IdType.RESIDENT_ID
    id_number: str
    grid: str  # the grid's code
    household: int | None = None
    phone: str = ""
    relation: str = ""
    birth_on: dt.date | None = None  # documents other than the resident ID card
    sex: Sex | None = None
    tags: list[TagKind] = []
    returned_from: str = ""  # with the returnee tag
    returned_on: dt.date | None = None


class PersonPageOut(Schema):
    items: list[PersonOut]
    page: int
    has_next: bool


class CountsOut(Schema):
    residents: int
    households: int
    children: int
    tags: dict[str, int]


class RegionSummaryOut(Schema):
    code: str
    name: str
    total: CountsOut
    children: list[dict]


@router.get("", response=PersonPageOut)
def list_persons(
    request,
    page: int = 1,
    q: str = "",
    region: str | None = None,
    tag: TagKind | None = None,
    household: int | None = None,
):
    """Persons in the caller's scope: search by name prefix, whole phone or ID tail digits."""
    scope = scope_of(request.user)
    scope.require(Cap.VIEW_PEOPLE)
    area = region_or_404(scope, region) if region else None
    try:
        qs = selectors.search(scope, q, region=area, tag=tag or "", household_id=household)
    except selectors.SearchTooShort as e:
        raise HttpError(422, str(e)) from None
    found = page_of(qs, page, PAGE_SIZE)
    return {
        "items": [selectors.person_record(p) for p in found.items],
        "page": found.number,
        "has_next": found.has_next,
    }


class FieldErrorsOut(Schema):
    detail: dict[str, str]  # field -> what is wrong and what is allowed


@router.post("", response={201: PersonOut, 422: FieldErrorsOut})
def create_person(request, data: PersonIn):
    """Register a resident in a grid (and a household of it): grid workers and community staff.

    Every field is checked at once; 422 names each bad field and what is allowed. A document
    already registered is refused, so a retried request never registers anyone twice.
    """
    scope = scope_of(request.user)
    scope.require(Cap.EDIT_PEOPLE)
    grid = region_or_404(scope, data.grid)
    household = selectors.household_or_404(scope, data.household) if data.household else None
    try:
        person = check_register_person(
            name=data.name,
            id_type=data.id_type,
            id_number=data.id_number,
            grid=grid,
            household=household,
            phone=data.phone,
            birth_on=data.birth_on,
            sex=data.sex or "",
            relation=data.relation,
            tags=[
                TagData(t, place=data.returned_from, event_on=data.returned_on)
                if t == TagKind.RETURNEE
                else TagData(t)
                for t in data.tags
            ],
        )
    except PersonInvalid as e:
        return 422, {"detail": e.errors}
    return 201, selectors.person_record(selectors.person_or_404(scope, person.pk))


@router.get("/summary/{code}", response=RegionSummaryOut)
def region_summary(request, code: str):
    """Residents, households, children under 14 and each tag, for a region and its children."""
    scope = scope_of(request.user)
    scope.require(Cap.VIEW_PEOPLE)
    overview = selectors.region_overview(scope, region_or_404(scope, code))

    def counts(c):
        return {
            "residents": c.residents,
            "households": c.households,
            "children": c.children,
            "tags": dict(c.tags),
        }

    return {
        "code": overview.region.code,
        "name": overview.region.name,
        "total": counts(overview.total),
        "children": [
            {"code": r.code, "name": r.name, "level": r.level, **counts(c)}
            for r, c in overview.children
        ],
    }


@router.get("/{person_id}", response=PersonOut)
def get_person(request, person_id: int, unmasked: bool = False):
    """One person; ``unmasked=true`` shows the full ID and phone to roles allowed (audited)."""
    scope = scope_of(request.user)
    person = selectors.person_or_404(scope, person_id)
    if unmasked:
        if not scope.can(Cap.UNMASK):
            raise HttpError(403, _("Your role may not see full ID numbers and phones."))
        reveal_person(user=request.user, person=person, request=request)
    return selectors.person_record(person, unmasked=unmasked)
