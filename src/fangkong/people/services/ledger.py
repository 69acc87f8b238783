"""Importing a ledger: every row created, updated, unchanged or rejected with a reason.

Rows are checked first (in Python, no queries per row); then, in one transaction, the registry's
matching persons, buildings and households are read in batches and the changes are written with
COPY (PostgreSQL) or batched inserts. A crash or a kill before the commit leaves the database as
it was. People are matched by document type and number, so importing the same file again
changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.accounts.services import record_audit
from fangkong.common import spreadsheets
from fangkong.common.db import BulkWriter, reserve_ids
from fangkong.regions.choices import Level
from fangkong.regions.models import Building, Household, Region

from ..choices import IdType, LedgerStatus, TagKind
from ..ledger import (
    REASON_HEADER,
    Col,
    Header,
    LedgerInvalid,
    LedgerRow,
    categories_of,
    data_rows,
    find_header,
    header_key,
    id_type_of,
    id_type_words,
    is_yes,
    parse_date,
    sex_of,
)
from ..models import LedgerUpload, Person, PersonTag
from .registry import Identity, PersonInvalid, clean_identity, clean_name, clean_phone

BATCH = 2000
Progress = Callable[[int, int, int], None]  # rows checked, rejected so far, rows in the file

_BUILDING_NO = re.compile(r"^(\d+)\s*(号楼|号|栋|幢|座)?$")
_UNIT_NO = re.compile(r"^(\d+)\s*(单元)?$")
_DOOR_NO = re.compile(r"^(\d+)\s*(室|号|房)?$")


@dataclass(frozen=True)
class RejectedRow:
    number: int  # the row number Excel shows
    index: int  # the row's index in the table
    reason: str


@dataclass
class LedgerImportResult:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    new_categories: dict[str, int] = field(default_factory=dict)
    table: spreadsheets.Table | None = None
    header: Header | None = None

    def as_dict(self, rejects_file: str | None = None) -> dict[str, Any]:
        return {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
            "rejects_file": rejects_file,
        }


@dataclass
class _Candidate:
    row: LedgerRow
    name: str
    identity: Identity
    phone: str
    grid: tuple[int, str]  # id, path
    building: str
    unit: str
    door: str
    address: str
    relation: str
    notes: str
    tags: list[tuple[str, str, str]]  # kind, place, label
    household_id: int | None = None


class _Rejected(Exception):
    pass


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "")).strip()


def _place_part(text: str, pattern: re.Pattern[str], form: str) -> str:
    text = _norm(text)
    m = pattern.match(text)
    return form.format(m.group(1).lstrip("0") or "0") if m else text


class _Checker:
    """Checks rows one by one against the file's grids and the rows before them."""

    def __init__(self, region: Region, header: Header):
        self.region = region
        self.today = timezone.localdate()
        self.seen: dict[tuple[str, str], int] = {}
        self.grids: dict[str, tuple[int, str]] = {}
        if region.level == Level.GRID:
            self.default: tuple[int, str] | None = (region.pk, region.path)
        else:
            self.default = None
            if Col.GRID not in header.columns:
                raise LedgerInvalid(
                    _(
                        "%(region)s is a %(level)s, and the file has no 网格 column: name a grid, "
                        "or add a 网格 column with each row's grid code or name"
                    )
                    % {"region": region.name, "level": region.get_level_display()}
                )
        if Col.GRID in header.columns:
            grids = Region.objects.filter(level=Level.GRID, path__startswith=region.path)
            for pk, code, name, path in grids.values_list("id", "code", "name", "path"):
                self.grids[code] = (pk, path)
                self.grids.setdefault(_norm(name), (pk, path))

    def grid_of(self, row: LedgerRow) -> tuple[int, str]:
        text = _norm(row.get(Col.GRID))
        if not text:
            if self.default is None:
                raise PersonInvalid({"grid": _("网格 is empty: this file covers several grids")})
            return self.default
        grid = self.grids.get(text)
        if grid is None:
            raise PersonInvalid(
                {
                    "grid": _("unknown grid %(g)s: not a grid of %(r)s")
                    % {"g": text, "r": self.region.name}
                }
            )
        return grid

    def identity_of(self, row: LedgerRow) -> Identity:
        if Col.ID_NUMBER in row.lossy:
            raise PersonInvalid(
                {
                    "id_number": _(
                        "the ID number was stored as a number in Excel and lost its last digits; "
                        "format the column as text and type the number again"
                    )
                }
            )
        id_type = id_type_of(row.get(Col.ID_TYPE))
        if id_type is None:
            raise PersonInvalid(
                {
                    "id_type": _("unknown document type %(t)s; allowed: %(a)s")
                    % {"t": row.get(Col.ID_TYPE), "a": id_type_words()}
                }
            )
        try:
            birth_on = parse_date(row.get(Col.BIRTH_ON))
        except ValueError:
            if id_type != IdType.RESIDENT_ID:
                raise PersonInvalid(
                    {
                        "birth_on": _("birth date %(d)s is not a date; write it as 1980-01-31")
                        % {"d": row.get(Col.BIRTH_ON)}
                    }
                ) from None
            birth_on = None  # the ID number says it
        return clean_identity(
            id_type=id_type,
            id_number=row.get(Col.ID_NUMBER),
            birth_on=birth_on,
            sex=sex_of(row.get(Col.SEX)),
        )

    def check(self, row: LedgerRow) -> _Candidate:
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        for key, fn in (
            ("name", lambda: clean_name(row.get(Col.NAME))),
            ("identity", lambda: self.identity_of(row)),
            ("phone", lambda: clean_phone(row.get(Col.PHONE))),
            ("grid", lambda: self.grid_of(row)),
        ):
            try:
                values[key] = fn()
            except PersonInvalid as e:
                errors.update(e.errors)
        if errors:
            raise _Rejected("; ".join(errors.values()))
        identity: Identity = values["identity"]
        document = (identity.id_type, identity.id_number)
        if document in self.seen:
            raise _Rejected(
                _("duplicate of row %(n)d (the same document number)") % {"n": self.seen[document]}
            )
        self.seen[document] = row.number
        return self._candidate(row, values)

    def _candidate(self, row: LedgerRow, values: dict[str, Any]) -> _Candidate:
        tags = categories_of(row.get(Col.CATEGORIES))
        if is_yes(row.get(Col.ALONE)):
            tags.append((TagKind.ELDERLY_ALONE.value, "", ""))
        notes = [_norm(row.get(Col.NOTES))] if row.get(Col.NOTES) else []
        notes += [f"{title}: {value}" for title, value in row.extra if title != REASON_HEADER]
        return _Candidate(
            row=row,
            name=values["name"],
            identity=values["identity"],
            phone=values["phone"],
            grid=values["grid"],
            building=_place_part(row.get(Col.BUILDING), _BUILDING_NO, "{}栋")[:50],
            unit=_place_part(row.get(Col.UNIT), _UNIT_NO, "{}")[:20],
            door=_place_part(row.get(Col.DOOR), _DOOR_NO, "{}")[:30],
            address=_norm(row.get(Col.ADDRESS))[:200],
            relation=_norm(row.get(Col.RELATION))[:20],
            notes="\n".join(notes),
            tags=list(dict.fromkeys(tags)),
        )


def read_ledger(data: bytes, filename: str) -> tuple[spreadsheets.Table, Header, list[LedgerRow]]:
    """The ledger's table, header and data rows; LedgerInvalid if it is not a ledger."""
    try:
        table = spreadsheets.read_table(data, filename)
    except spreadsheets.SpreadsheetError as e:
        raise LedgerInvalid(str(e)) from None
    if not any(any(c for c in row) for row in table.rows):
        raise LedgerInvalid(_("the file is empty"))
    header = find_header(table)
    return table, header, data_rows(table, header)


def import_ledger(
    *,
    data: bytes,
    filename: str,
    region: Region,
    user: User | None = None,
    scope: Scope | None = None,
    on_progress: Progress | None = None,
) -> LedgerImportResult:
    """Import a ledger file into ``region`` (a grid, or an ancestor when rows name their grid).

    ``scope``: a person already registered outside it is refused, not moved (None: no limit,
    for the command line). Raises LedgerInvalid for a file that is not a ledger.
    """
    progress = on_progress or (lambda checked, rejected, total: None)
    table, header, rows = read_ledger(data, filename)
    checker = _Checker(region, header)
    result = LedgerImportResult(read=len(rows), table=table, header=header)
    candidates: list[_Candidate] = []
    for i, row in enumerate(rows, 1):
        try:
            candidates.append(checker.check(row))
        except _Rejected as e:
            result.rejected.append(RejectedRow(row.number, row.index, str(e)))
        if i % BATCH == 0:
            progress(i, len(result.rejected), len(rows))
    progress(len(rows), len(result.rejected), len(rows))
    with transaction.atomic():
        _Writer(result, scope).write(candidates)
        record_audit(
            user=user,
            action=AuditAction.IMPORT,
            object_type="ledger",
            region_path=region.path,
            detail={"file": filename, "region": region.code, **result.as_dict()},
        )
    result.rejected.sort(key=lambda r: r.number)
    return result


_PERSON_FIELDS = [
    "id",
    "name",
    "sex",
    "id_type",
    "id_number",
    "id_rev",
    "birth_on",
    "phone",
    "grid",
    "household",
    "relation",
    "region_path",
    "notes",
    "created_at",
    "updated_at",
]
_TAG_FIELDS = ["id", "person", "kind", "region_path", "place", "event_on", "note", "label"]
_TAG_FIELDS += ["created_at"]
_UPDATED = ["name", "phone", "grid", "household", "relation", "region_path", "notes", "updated_at"]


class _Writer:
    """The database side of one import, inside its transaction."""

    def __init__(self, result: LedgerImportResult, scope: Scope | None):
        self.result = result
        self.scope = scope
        self.now = timezone.now()

    def write(self, candidates: list[_Candidate]) -> None:
        existing = self._existing(candidates)
        candidates = self._in_scope(candidates, existing)
        self._households(candidates)
        new = [c for c in candidates if (c.identity.id_type, c.identity.id_number) not in existing]
        self._create(new)
        self._update([c for c in candidates if c not in new], existing)
        self.result.created = len(new)
        self.result.unchanged = len(candidates) - len(new) - self.result.updated
        others = Counter(label for c in candidates for kind, _p, label in c.tags if label)
        self.result.new_categories = dict(others)

    def _existing(self, candidates: list[_Candidate]) -> dict[tuple[str, str], Person]:
        by_type: dict[str, list[str]] = {}
        for c in candidates:
            by_type.setdefault(c.identity.id_type, []).append(c.identity.id_number)
        found: dict[tuple[str, str], Person] = {}
        for id_type, numbers in by_type.items():
            for i in range(0, len(numbers), BATCH):
                qs = Person.objects.filter(id_type=id_type, id_number__in=numbers[i : i + BATCH])
                for p in qs.prefetch_related("tags"):
                    found[(p.id_type, p.id_number)] = p
        return found

    def _in_scope(
        self, candidates: list[_Candidate], existing: dict[tuple[str, str], Person]
    ) -> list[_Candidate]:
        if self.scope is None:
            return candidates
        kept = []
        for c in candidates:
            person = existing.get((c.identity.id_type, c.identity.id_number))
            if person is not None and not self.scope.contains(person.region_path):
                self.result.rejected.append(
                    RejectedRow(
                        c.row.number,
                        c.row.index,
                        _(
                            "this person is registered in a grid outside your area; the "
                            "community or street can move them"
                        ),
                    )
                )
            else:
                kept.append(c)
        return kept

    def _households(self, candidates: list[_Candidate]) -> None:
        """Find or create the building and household of each row that gives an address."""
        grid_ids = {c.grid[0] for c in candidates}
        paths = {c.grid[0]: c.grid[1] for c in candidates}
        buildings: dict[tuple[int, str], int] = {}
        for i in range(0, len(grid_ids), BATCH):
            chunk = list(grid_ids)[i : i + BATCH]
            for pk, grid_id, name in Building.objects.filter(grid_id__in=chunk).values_list(
                "id", "grid_id", "name"
            ):
                buildings[(grid_id, name)] = pk
        missing = {(c.grid[0], c.building) for c in candidates if c.building} - buildings.keys()
        created = Building.objects.bulk_create(
            [Building(grid_id=g, name=n, region_path=paths[g]) for g, n in sorted(missing)],
            batch_size=BATCH,
        )
        buildings.update({(b.grid_id, b.name): b.pk for b in created})
        doors: dict[tuple, int] = {}
        qs = Household.objects.filter(grid_id__in=grid_ids).values_list(
            "id", "grid_id", "building_id", "unit", "door", "address"
        )
        for pk, grid_id, building_id, unit, door, address in qs.iterator(chunk_size=BATCH):
            doors[(building_id, unit, door) if building_id else (grid_id, address)] = pk
        wanted: dict[tuple, Household] = {}
        for c in candidates:
            key = self._household_key(c, buildings)
            if key is not None and key not in doors and key not in wanted:
                grid_id, path = c.grid
                if c.building:
                    wanted[key] = Household(
                        grid_id=grid_id,
                        building_id=key[0],
                        unit=c.unit,
                        door=c.door,
                        region_path=path,
                    )
                else:
                    wanted[key] = Household(grid_id=grid_id, address=key[1], region_path=path)
        Household.objects.bulk_create(list(wanted.values()), batch_size=BATCH)
        doors.update({key: h.pk for key, h in wanted.items()})
        for c in candidates:
            found = self._household_key(c, buildings)
            c.household_id = doors[found] if found is not None else None

    @staticmethod
    def _household_key(c: _Candidate, buildings: dict[tuple[int, str], int]) -> tuple | None:
        if c.building:
            return (buildings[(c.grid[0], c.building)], c.unit, c.door)
        address = c.address or c.door
        if address:
            return (c.grid[0], address[:200])
        return None

    def _create(self, new: list[_Candidate]) -> None:
        persons = BulkWriter(Person, _PERSON_FIELDS)
        tags = BulkWriter(PersonTag, _TAG_FIELDS)
        ids = reserve_ids(Person, len(new))
        tag_ids = iter(reserve_ids(PersonTag, sum(len(c.tags) for c in new)))
        now = self.now
        for pk, c in zip(ids, new, strict=True):
            ident = c.identity
            grid_id, path = c.grid
            persons.rows.append(
                (
                    pk,
                    c.name,
                    ident.sex,
                    ident.id_type,
                    ident.id_number,
                    ident.id_number[::-1],
                    ident.birth_on,
                    c.phone,
                    grid_id,
                    c.household_id,
                    c.relation,
                    path,
                    c.notes,
                    now,
                    now,
                )
            )
            for kind, place, label in c.tags:
                tags.rows.append((next(tag_ids), pk, kind, path, place, None, "", label, now))
            if len(persons.rows) >= BATCH * 5:
                persons.flush()
        persons.flush()
        tags.flush()

    def _update(self, matched: list[_Candidate], existing: dict[tuple[str, str], Person]) -> None:
        """Phones, addresses, relation, notes and tags from the ledger; blanks keep what is there.

        Tags are only added: a stale ledger must not clear a close-contact mark set since.
        """
        changed: list[Person] = []
        new_tags: list[PersonTag] = []
        for c in matched:
            person = existing[(c.identity.id_type, c.identity.id_number)]
            before = [getattr(person, f) for f in _UPDATED[:-1]]
            person.name = c.name
            person.phone = c.phone or person.phone
            if c.household_id is not None or person.grid_id != c.grid[0]:
                person.household_id = c.household_id
            person.grid_id, person.region_path = c.grid
            person.relation = c.relation or person.relation
            person.notes = c.notes or person.notes
            have = {(t.kind, t.label) for t in person.tags.all()}
            added = [
                PersonTag(person=person, kind=k, place=p, label=lb, region_path=c.grid[1])
                for k, p, lb in c.tags
                if (k, lb) not in have
            ]
            if added or before != [getattr(person, f) for f in _UPDATED[:-1]]:
                person.updated_at = self.now
                changed.append(person)
                new_tags += added
        Person.objects.bulk_update(changed, _UPDATED, batch_size=500)
        PersonTag.objects.bulk_create(new_tags, batch_size=BATCH)
        # tags follow a person who moved grid (their region_path is what scope filters on)
        moved: dict[str, list[int]] = {}
        for person in changed:
            moved.setdefault(person.region_path, []).append(person.pk)
        for path, pks in moved.items():
            for i in range(0, len(pks), BATCH):
                PersonTag.objects.filter(person_id__in=pks[i : i + BATCH]).exclude(
                    region_path=path
                ).update(region_path=path)
        self.result.updated = len(changed)


def write_rejects(result: LedgerImportResult, target: Path | Any) -> None:
    """The refused rows in the input's own format and columns, plus a 错误原因 column."""
    table, header = result.table, result.header
    assert table is not None and header is not None
    titles: list[object] = list(header.titles)
    reason_col = header.columns.get(Col.REASON)
    if reason_col is None:
        titles.append(REASON_HEADER)
    rows: list[list[object]] = [titles]
    for rejected in result.rejected:
        source = table.rows[rejected.index]
        cells: list[object] = [*source, *[""] * (len(header.titles) - len(source))]
        cells = cells[: len(header.titles)]
        if reason_col is None:
            cells.append(rejected.reason)
        else:
            cells[reason_col] = rejected.reason
        rows.append(cells)
    spreadsheets.write_table(
        target,
        rows,
        format=table.format,
        encoding=table.encoding if table.encoding != "utf-8" else "utf-8-sig",
        sheet=table.sheet or "Sheet1",
    )


def uploads_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_ledger_upload(
    *,
    user: User,
    scope: Scope,
    region: Region,
    upload_id: uuid.UUID,
    filename: str,
    data: bytes,
    on_progress: Progress | None = None,
) -> LedgerUpload:
    """Import an uploaded ledger once per ``upload_id`` (a resubmitted form gets the first
    result), keep its summary and rejects file, and return the upload's record."""
    scope.require(Cap.EDIT_PEOPLE)
    if not scope.contains(region.path):
        raise LedgerInvalid(_("the region is outside your area"))
    upload, created = LedgerUpload.objects.get_or_create(
        upload_id=upload_id,
        defaults={
            "user": user,
            "region": region,
            "region_path": region.path,
            "filename": Path(filename).name[:200],
        },
    )
    if not created:
        if upload.user_id != user.pk:
            raise LedgerInvalid(_("this upload belongs to somebody else"))
        return upload
    try:
        result = import_ledger(
            data=data,
            filename=filename,
            region=region,
            user=user,
            scope=scope,
            on_progress=on_progress,
        )
    except LedgerInvalid as e:
        upload.status, upload.error = LedgerStatus.FAILED, str(e)
    except Exception:
        upload.status, upload.error = LedgerStatus.FAILED, _("the import failed; nothing was saved")
        upload.finished_at = timezone.now()
        upload.save()
        raise
    else:
        if result.rejected:
            upload.rejects_file = f"{upload_id}-{rejects_name(filename)}"
            write_rejects(result, uploads_dir() / upload.rejects_file)
        upload.status = LedgerStatus.DONE
        upload.summary = {
            **result.as_dict(upload.rejects_file or None),
            "new_categories": result.new_categories,
            "rejects": [[r.number, r.reason] for r in result.rejected[:200]],
        }
    upload.finished_at = timezone.now()
    upload.save()
    return upload


def rejects_name(filename: str) -> str:
    """``ledger.xlsx`` → ``ledger-rejects.xlsx``."""
    path = Path(filename)
    suffix = ".xlsx" if path.suffix.lower() == ".xlsx" else ".csv"
    return f"{path.stem}-rejects{suffix}"


def header_names(header: Header) -> dict[str, str]:
    """Which column became what (for the summary): header as written → field."""
    return {header.titles[c]: col.value for col, c in header.columns.items()}


__all__ = [
    "LedgerImportResult",
    "RejectedRow",
    "header_key",
    "header_names",
    "import_ledger",
    "read_ledger",
    "rejects_name",
    "run_ledger_upload",
    "write_rejects",
]
