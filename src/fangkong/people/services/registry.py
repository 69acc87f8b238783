"""Changes to the residents' registry: validation, registration, audited reveals and exports."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import User
from fangkong.accounts.services import record_audit
from fangkong.common import idnumbers, phones, text
from fangkong.regions.choices import Level
from fangkong.regions.models import Household, Region

from ..choices import VULNERABLE, IdType, Sex, TagKind
from ..models import Person, PersonMerge, PersonTag
from .counters import recount_grids

_OTHER_DOCUMENT = re.compile(r"^[A-Z0-9]{5,30}$")
_ID_TYPES = frozenset(IdType.values)
_SEXES = frozenset(Sex.values)
# The same bound the resident ID's own rule keeps (common/idnumbers.py), for every document.
EARLIEST_BIRTH_ON = dt.date(1880, 1, 1)


class PersonInvalid(ValueError):
    """Field name → a message saying what is wrong and what is allowed."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class TagData:
    """A tag with what it needs: a returnee's place and date of return, for example."""

    kind: str
    place: str = ""
    event_on: dt.date | None = None
    note: str = ""


@dataclass(frozen=True)
class Identity:
    id_type: str
    id_number: str
    birth_on: dt.date | None
    sex: str


def clean_identity(
    *,
    id_type: str,
    id_number: str,
    birth_on: dt.date | None = None,
    sex: str = "",
    today: dt.date | None = None,
) -> Identity:
    """Validate a document by its own rules; a resident ID also gives birth date and sex."""
    today = today or timezone.localdate()
    if id_type not in _ID_TYPES:
        allowed = ", ".join(str(label) for label in IdType.labels)
        raise PersonInvalid({"id_type": _("unknown ID type; allowed: %(a)s") % {"a": allowed}})
    if id_type == IdType.RESIDENT_ID:
        try:
            parsed = idnumbers.parse(id_number, today=today)
        except idnumbers.InvalidIdNumber as e:
            raise PersonInvalid({"id_number": str(e)}) from None
        return Identity(id_type, parsed.number, parsed.birth_on, parsed.sex)
    number = idnumbers.normalise(id_number)
    if not _OTHER_DOCUMENT.match(number):
        raise PersonInvalid({"id_number": _("document number must be 5 to 30 letters or digits")})
    if birth_on is not None and not EARLIEST_BIRTH_ON <= birth_on <= today:
        raise PersonInvalid(
            {
                "birth_on": _("birth date must be between %(first)s and today (%(today)s)")
                % {"first": EARLIEST_BIRTH_ON.isoformat(), "today": today.isoformat()}
            }
        )
    return Identity(id_type, number, birth_on, sex if sex in _SEXES else Sex.UNKNOWN)


def clean_name(name: str) -> str:
    """A person's name as stored; refused with a reason (``common.text``: no control,
    direction or only-invisible characters; at most 50 characters)."""
    try:
        name = text.clean_name(name)
    except text.InvalidText as e:
        raise PersonInvalid({"name": str(e)}) from None
    if not name:
        raise PersonInvalid({"name": _("name is missing")})
    if len(name) > 50:
        raise PersonInvalid({"name": _("name is longer than 50 characters")})
    return name


def clean_phone(phone: str) -> str:
    if not (phone or "").strip():
        return ""
    try:
        return phones.normalise(phone)
    except phones.InvalidPhone as e:
        raise PersonInvalid({"phone": str(e)}) from None


@transaction.atomic
def check_register_person(
    *,
    name: str,
    id_type: str,
    id_number: str,
    grid: Region,
    household: Household | None = None,
    phone: str = "",
    birth_on: dt.date | None = None,
    sex: str = "",
    relation: str = "",
    tags: list[str | TagData] | tuple[str | TagData, ...] = (),
) -> Person:
    """Validate every field (all problems at once), then register the person."""
    tag_data = [t if isinstance(t, TagData) else TagData(t) for t in tags]
    errors: dict[str, str] = {}
    cleaned: dict[str, object] = {}
    for key, fn in (
        ("name", lambda: clean_name(name)),
        ("phone", lambda: clean_phone(phone)),
        (
            "identity",
            lambda: clean_identity(
                id_type=id_type, id_number=id_number, birth_on=birth_on, sex=sex
            ),
        ),
    ):
        try:
            cleaned[key] = fn()
        except PersonInvalid as e:
            errors.update(e.errors)
    if grid.level != Level.GRID:
        errors["grid"] = _("a person belongs to a grid, not to a %(level)s") % {
            "level": grid.get_level_display()
        }
    if household is not None and household.grid_id != grid.pk:
        errors["household"] = _("the household is in another grid")
    unknown = [t.kind for t in tag_data if t.kind not in TagKind.values]
    if unknown:
        errors["tags"] = _("unknown tags %(t)s; allowed: %(a)s") % {
            "t": ", ".join(unknown),
            "a": ", ".join(TagKind.values),
        }
    if any(t.event_on and t.event_on > timezone.localdate() for t in tag_data):
        errors["tags"] = _("a tag's date cannot be in the future")
    identity = cleaned.get("identity")
    if (
        isinstance(identity, Identity)
        and Person.objects.filter(id_type=identity.id_type, id_number=identity.id_number).exists()
    ):
        errors["id_number"] = _("a person with this document is already registered")
    if errors:
        raise PersonInvalid(errors)
    assert isinstance(identity, Identity)
    try:
        with transaction.atomic():
            return do_register_person(
                name=str(cleaned["name"]),
                identity=identity,
                grid=grid,
                household=household,
                phone=str(cleaned["phone"]),
                relation=relation.strip()[:20],
                tags=list({t.kind: t for t in tag_data}.values()),
            )
    except IntegrityError:  # the same document registered a moment ago (a double submit)
        raise PersonInvalid(
            {"id_number": _("a person with this document is already registered")}
        ) from None


def do_register_person(
    *,
    name: str,
    identity: Identity,
    grid: Region,
    household: Household | None,
    phone: str,
    relation: str = "",
    tags: list[TagData] | None = None,
) -> Person:
    """Create the person and their tags (already validated)."""
    person = Person.objects.create(
        name=name,
        sex=identity.sex,
        id_type=identity.id_type,
        id_number=identity.id_number,
        birth_on=identity.birth_on,
        phone=phone,
        grid=grid,
        household=household,
        relation=relation,
        region_path=grid.path,
    )
    PersonTag.objects.bulk_create(
        [
            PersonTag(
                person=person,
                kind=t.kind,
                region_path=grid.path,
                place=t.place[:100],
                event_on=t.event_on,
                note=t.note[:200],
            )
            for t in tags or []
        ]
    )
    recount_grids([grid.path])
    return person


def reveal_person(
    *,
    user: User,
    person: Person,
    merges: Sequence[PersonMerge] = (),
    request: HttpRequest | None = None,
) -> Person:
    """Audit that ``user`` is viewing the person's full ID number and phone, and the full
    documents of ``merges`` (records merged into them) shown beside: the entry lists those
    merged records (``merged``: their ids; ``merged_persons``: the dropped records' ids, as the
    merge's own entry names them)."""
    detail = (
        {"merged": [m.pk for m in merges], "merged_persons": [m.dropped_id for m in merges]}
        if merges
        else None
    )
    record_audit(
        user=user,
        action=AuditAction.VIEW_UNMASKED,
        object_type="person",
        object_id=person.pk,
        region_path=person.region_path,
        request=request,
        detail=detail,
    )
    return person


def record_people_export(
    *,
    user: User,
    region: Region,
    query: dict[str, str | bool],
    unmasked: bool,
    request: HttpRequest | None = None,
) -> None:
    """Audit an export of a list of persons."""
    record_audit(
        user=user,
        action=AuditAction.EXPORT,
        object_type="person",
        region_path=region.path,
        request=request,
        detail={"region": region.code, "unmasked": unmasked, **query},
    )


def do_tag_person(*, person: Person, tag: TagData) -> PersonTag:
    """Mark a person (one tag of each kind); a later date replaces an earlier one."""
    found, created = PersonTag.objects.get_or_create(
        person=person,
        kind=tag.kind,
        label="",
        defaults={
            "region_path": person.region_path,
            "place": tag.place[:100],
            "event_on": tag.event_on,
            "note": tag.note[:200],
        },
    )
    if not created and tag.event_on and (found.event_on is None or tag.event_on > found.event_on):
        found.event_on = tag.event_on
        found.save(update_fields=["event_on"])
    if created and tag.kind in VULNERABLE:
        recount_grids([person.region_path])
    return found
