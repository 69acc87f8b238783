import datetime as dt
import uuid

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.paging import page_of
from fangkong.common.params import Id, PageNumber, error_responses
from fangkong.regions.selectors import region_or_404

from . import selectors
from .choices import IdType, LedgerStatus, Sex, TagKind
from .ledger import LedgerInvalid
from .services import (
    PersonInvalid,
    TagData,
    check_register_person,
    rejects_name,
    rejects_path,
    reveal_person,
    run_ledger_upload,
)

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
    household: Id | None = None
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


@router.get("", response={200: PersonPageOut, **error_responses(403, 404)})
def list_persons(
    request,
    page: PageNumber = 1,
    q: str = "",
    region: str | None = None,
    tag: TagKind | None = None,
    household: Id | None = None,
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


@router.post("", response={201: PersonOut, **error_responses(403, 404)})
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


@router.get("/summary/{code}", response={200: RegionSummaryOut, **error_responses(403, 404)})
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


@router.get("/{int:person_id}", response={200: PersonOut, **error_responses(403, 404)})
def get_person(request, person_id: Id, unmasked: bool = False):
    """One person; ``unmasked=true`` shows the full ID and phone to roles allowed (audited)."""
    scope = scope_of(request.user)
    person = selectors.person_or_404(scope, person_id)
    if unmasked:
        if not scope.can(Cap.UNMASK):
            raise HttpError(403, _("Your role may not see full ID numbers and phones."))
        reveal_person(user=request.user, person=person, request=request)
    return selectors.person_record(person, unmasked=unmasked)


class LedgerRejectOut(Schema):
    row: int
    reason: str


class LedgerUploadOut(Schema):
    upload_id: uuid.UUID
    status: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: list[LedgerRejectOut] = []  # the first 200, with the row numbers Excel shows
    rejects_url: str | None = None  # the refused rows in the file's own format + 错误原因
    new_categories: dict[str, int] = {}


class MessageOut(Schema):
    detail: str


def _upload_out(request, upload) -> dict:
    s = upload.summary
    url = None
    if upload.rejects_file:
        url = request.build_absolute_uri(reverse("api:ledger_rejects", args=[upload.upload_id]))
    return {
        "upload_id": upload.upload_id,
        "status": upload.status,
        **{k: s.get(k, 0) for k in ("read", "created", "updated", "unchanged", "rejected")},
        "rejects": [{"row": n, "reason": r} for n, r in s.get("rejects", [])],
        "rejects_url": url,
        "new_categories": s.get("new_categories", {}),
    }


@router.post("/ledger", response={200: LedgerUploadOut, **error_responses(403, 404)})
def import_ledger_file(
    request,
    file: File[UploadedFile],
    region: Form[str],
    upload_id: Form[uuid.UUID | None] = None,
):
    """Import a residents' ledger (.xlsx or .csv) into a grid, or into a community when the file
    has a 网格 column. Every row is created, updated, unchanged or rejected; rejected rows come
    back with their row numbers and reasons, and as a file to fix. Send the same ``upload_id``
    again (a retry) and get the first result; the same file under a new id changes nothing."""
    scope = scope_of(request.user)
    scope.require(Cap.EDIT_PEOPLE)
    target = region_or_404(scope, region)
    try:
        upload = run_ledger_upload(
            user=request.user,
            scope=scope,
            region=target,
            upload_id=upload_id or uuid.uuid4(),
            filename=file.name or "ledger",
            data=file.read(),
        )
    except LedgerInvalid as e:
        return 422, {"detail": str(e)}
    if upload.status == LedgerStatus.FAILED:
        return 422, {"detail": upload.error}
    return 200, _upload_out(request, upload)


_REJECTS_FILE = {
    "description": "the refused rows, in the uploaded file's own format",
    "content": {
        "text/csv": {},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
    },
}


@router.get(
    "/ledger/{upload_id}/rejects",
    url_name="ledger_rejects",
    response=error_responses(403, 404),
    openapi_extra={"responses": {200: _REJECTS_FILE}},
)
def ledger_rejects(request, upload_id: uuid.UUID):
    """The refused rows of the caller's own upload, in the file's own format."""
    scope_of(request.user).require(Cap.EDIT_PEOPLE)
    upload = selectors.ledger_upload_or_404(request.user, upload_id)
    path = rejects_path(upload)
    if path is None:
        raise HttpError(404, _("this upload has no rejected rows"))
    return FileResponse(path.open("rb"), as_attachment=True, filename=rejects_name(upload.filename))


class DuplicatePairOut(Schema):
    first: int
    second: int
    reason: str


@router.get("/duplicates", response={200: list[DuplicatePairOut], **error_responses(403, 404)})
def list_duplicates(request, region: str):
    """Possible duplicates in a region (same name and birth date, or same name and phone), for
    a staff member to merge or dismiss on the duplicates page."""
    scope = scope_of(request.user)
    scope.require(Cap.EDIT_PEOPLE)
    pairs = selectors.possible_duplicates(scope, region_or_404(scope, region))
    return [{"first": p.first.pk, "second": p.second.pk, "reason": p.reason} for p in pairs]
