import datetime as dt
import functools
import uuid

from django.http import FileResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.files import UploadedFile

from fangkong.accounts.scope import Cap, scope_of
from fangkong.accounts.services import record_person_view
from fangkong.common import idnumbers, spreadsheets
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
    """A person as docs/scope.md says: masked unless revealed (``unmasked=true``, audited)."""

    id: int
    name: str
    sex: Sex
    id_type: IdType
    id_number: str  # masked: 4301**********0015
    birth_on: dt.date | None  # only when revealed; masked, the year alone
    birth_year: int | None
    age: int | None  # only when revealed (an age changes on the birthday)
    phone: str
    grid_code: str
    household_id: int | None
    household: str
    relation: str
    tags: list[TagKind]
    is_child: bool


class PersonCreatedOut(PersonOut):
    unknown_area: bool  # a resident ID whose county code no list knows: worth a second look


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
    """Persons in the caller's scope: search by name prefix or the last 4 digits of an ID
    number; roles that may reveal also by a whole ID or phone number. No filter or order by
    birth date: a masked caller could bisect one."""
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


@router.post("", response={201: PersonCreatedOut, **error_responses(403, 404)})
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
    record = selectors.person_record(selectors.person_or_404(scope, person.pk))
    unknown = person.id_type == IdType.RESIDENT_ID and idnumbers.unknown_area(person.id_number)
    return 201, {**record, "unknown_area": unknown}


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
    record_person_view(request=request, person_id=person.pk, region_path=person.region_path)
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


def _refuse_large_body(run):
    """Refuse a ledger over the limit from the request's Content-Length, before its body is
    read (the WSGI server never reads more than that length)."""

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
            spreadsheets.check_upload_size(declared, overhead=spreadsheets.FORM_OVERHEAD)
        except spreadsheets.SpreadsheetError as e:
            return JsonResponse(
                {"detail": str(e)}, status=413, json_dumps_params={"ensure_ascii": False}
            )
        except ValueError:
            pass  # no usable length: the parsed file's size is checked below
        return run(request, *args, **kwargs)

    return wrapper


@router.post("/ledger", response={200: LedgerUploadOut, **error_responses(403, 404, 413)})
@decorate_view(_refuse_large_body)
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
        spreadsheets.check_upload_size(file.size or 0)
    except spreadsheets.SpreadsheetError as e:
        return 413, {"detail": str(e)}
    try:
        upload = run_ledger_upload(
            user=request.user,
            scope=scope,
            region=target,
            upload_id=upload_id or uuid.uuid4(),
            filename=file.name or "ledger",
            data=file.read(),
            request=request,
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
