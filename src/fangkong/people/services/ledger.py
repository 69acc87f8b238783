"""Importing a ledger: every row created, updated, unchanged or rejected with a reason.

Rows are checked in Python with no query per row (``ledger_rows``); the writer then reads the
registry's matching persons, buildings and households per chunk of rows (one join against a
temporary table of the chunk's documents) and writes with COPY on PostgreSQL or batched
inserts elsewhere. Everything is one transaction, committed after the last row: a crash or a
kill before that leaves the database as it was. People are matched by document type and number,
so importing the same file again changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import User
from fangkong.accounts.scope import Scope
from fangkong.accounts.services import record_audit
from fangkong.common import spreadsheets
from fangkong.common.db import BulkWriter, analyze, reserve_ids
from fangkong.regions.models import BULK_HOUSEHOLD_FIELDS, Building, Household, Region

from ..ledger import (
    Header,
    LedgerInvalid,
    LedgerRow,
    data_rows,
    find_header,
    header_key,
)
from ..models import BULK_PERSON_FIELDS, BULK_TAG_FIELDS, Person, PersonTag
from ..moves import person_moved
from .counters import recount_grids
from .ledger_rows import Candidate, Checker, Rejected

BATCH = 2000
CHUNK = 20_000  # rows checked before they are handed to the writer
# A large import changes the tables' statistics: refresh them, or the next lookups by document
# number plan as if the table were still small (a second import then took 40 s, not 4).
ANALYZE_AFTER = 10_000
Progress = Callable[[int, int, int], None]  # rows checked, rejected so far, rows in the file


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


_KNOWN = ("id", "name", "phone", "grid_id", "household_id", "relation", "region_path", "notes")


@dataclass(slots=True)
class _Known:
    """A registered person as the import compares them (values, no model per row)."""

    id: int
    name: str
    phone: str
    grid_id: int
    household_id: int | None
    relation: str
    region_path: str
    notes: str
    tags: set[tuple[str, str]] = field(default_factory=set)

    def values(self) -> tuple:
        return tuple(getattr(self, name) for name in _KNOWN)

    def fields(self) -> dict[str, Any]:
        return dict(zip(_KNOWN, self.values(), strict=True))


def _column(model, name: str) -> str:
    return model._meta.get_field(name).column


def _rows_of_documents(cursor, documents: list[tuple[str, str]], sql: str) -> list[tuple]:
    """Run ``sql`` joined to the documents as table ``{docs}``: one COPY into a temporary table
    and one join on PostgreSQL; batches of literal values elsewhere."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS ledger_documents "
            "(id_type varchar(20), id_number varchar(30)) ON COMMIT DELETE ROWS"
        )
        cursor.execute("TRUNCATE ledger_documents")
        with cursor.cursor.copy("COPY ledger_documents FROM STDIN") as copy:
            for document in documents:
                copy.write_row(document)
        cursor.execute("ANALYZE ledger_documents")
        cursor.execute(sql.replace("{docs}", "ledger_documents"))
        return cursor.fetchall()
    rows: list[tuple] = []
    for i in range(0, len(documents), 400):
        chunk = documents[i : i + 400]
        values = ", ".join(["(%s, %s)"] * len(chunk))
        docs = f"(SELECT column1 AS id_type, column2 AS id_number FROM (VALUES {values}))"
        cursor.execute(sql.replace("{docs}", docs), [v for doc in chunk for v in doc])
        rows += cursor.fetchall()
    return rows


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
    request: HttpRequest | None = None,
) -> LedgerImportResult:
    """Import a ledger file into ``region`` (a grid, or an ancestor when rows name their grid).

    ``scope``: a person already registered outside it is refused, not moved (None: no limit,
    for the command line). Raises LedgerInvalid for a file that is not a ledger. All or
    nothing: the rows are written in one transaction, committed after the last row.
    """
    progress = on_progress or (lambda checked, rejected, total: None)
    table, header, rows = read_ledger(data, filename)
    checker = Checker(region, header)
    result = LedgerImportResult(read=len(rows), table=table, header=header)
    writer = _Writer(result, scope)
    # Written chunk by chunk as the rows are checked, all in one transaction.
    with transaction.atomic():
        chunk: list[Candidate] = []
        for i, row in enumerate(rows, 1):
            try:
                chunk.append(checker.check(row))
            except Rejected as e:
                result.rejected.append(RejectedRow(row.number, row.index, str(e)))
            if i % CHUNK == 0:
                writer.write_chunk(chunk)
                chunk = []
                progress(i, len(result.rejected), len(rows))
        writer.write_chunk(chunk)
        progress(len(rows), len(result.rejected), len(rows))
        writer.finish(user=user, region=region, filename=filename, request=request)
        recount_grids(writer.touched)  # the grids' locks last
    result.rejected.sort(key=lambda r: r.number)
    return result


_UPDATED = ["name", "phone", "grid", "household", "relation", "region_path", "notes", "updated_at"]


class _Writer:
    """The database side of one import, chunk by chunk, inside one transaction."""

    def __init__(self, result: LedgerImportResult, scope: Scope | None):
        self.result = result
        self.scope = scope
        self.now = timezone.now()
        self.loaded_grids: set[int] = set()
        self.buildings: dict[tuple[int, str], int] = {}
        self.doors: dict[tuple, int] = {}
        self.categories: Counter[str] = Counter()
        self.touched: set[str] = set()  # grid paths whose persons changed (before and after)

    def write_chunk(self, candidates: list[Candidate]) -> None:
        if not candidates:
            return
        existing = self._existing(candidates)
        candidates = self._in_scope(candidates, existing)
        self._households(candidates)
        new: list[Candidate] = []
        matched: list[Candidate] = []
        for c in candidates:
            key = (c.identity.id_type, c.identity.id_number)
            (matched if key in existing else new).append(c)
        self._create(new)
        updated = self._update(matched, existing)
        self.touched.update(c.grid[1] for c in new)
        self.result.created += len(new)
        self.result.updated += updated
        self.result.unchanged += len(matched) - updated
        self.categories.update(label for c in candidates for _k, _p, label in c.tags if label)

    def finish(
        self, *, user: User | None, region: Region, filename: str, request: HttpRequest | None
    ) -> None:
        if self.result.created >= ANALYZE_AFTER:
            analyze(Person, PersonTag, Household)
        self.result.new_categories = dict(self.categories)
        record_audit(
            user=user,
            action=AuditAction.IMPORT,
            object_type="ledger",
            region_path=region.path,
            request=request,  # the uploader's address (none from the command line)
            detail={"file": filename, "region": region.code, **self.result.as_dict()},
        )

    def _existing(self, candidates: list[Candidate]) -> dict[tuple[str, str], _Known]:
        """The registered persons the rows name, as plain values (no model per row)."""
        documents = [(c.identity.id_type, c.identity.id_number) for c in candidates]
        found: dict[tuple[str, str], _Known] = {}
        by_id: dict[int, _Known] = {}
        columns = ", ".join(f"p.{_column(Person, f)}" for f in _KNOWN)
        person_table = Person._meta.db_table
        with connection.cursor() as cursor:
            for id_type, id_number, *values in _rows_of_documents(
                cursor,
                documents,
                f"SELECT p.id_type, p.id_number, {columns} FROM {person_table} p "
                "JOIN {docs} d ON p.id_type = d.id_type AND p.id_number = d.id_number",
            ):
                found[(id_type, id_number)] = by_id[values[0]] = _Known(*values)
            for person_id, kind, label in _rows_of_documents(
                cursor,
                documents,
                f"SELECT t.person_id, t.kind, t.label FROM {PersonTag._meta.db_table} t "
                f"JOIN {person_table} p ON p.id = t.person_id "
                "JOIN {docs} d ON p.id_type = d.id_type AND p.id_number = d.id_number",
            ):
                by_id[person_id].tags.add((kind, label))
        return found

    def _in_scope(
        self, candidates: list[Candidate], existing: dict[tuple[str, str], _Known]
    ) -> list[Candidate]:
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

    def _load_grids(self, grid_ids: set[int]) -> None:
        """Buildings and households already registered in grids first met in this chunk."""
        fresh = list(grid_ids - self.loaded_grids)
        self.loaded_grids.update(fresh)
        for i in range(0, len(fresh), BATCH):
            chunk = fresh[i : i + BATCH]
            for pk, grid_id, name in Building.objects.filter(grid_id__in=chunk).values_list(
                "id", "grid_id", "name"
            ):
                self.buildings[(grid_id, name)] = pk
            qs = Household.objects.filter(grid_id__in=chunk).values_list(
                "id", "grid_id", "building_id", "unit", "door", "address"
            )
            for pk, grid_id, building_id, unit, door, address in qs.iterator(chunk_size=BATCH):
                self.doors[(building_id, unit, door) if building_id else (grid_id, address)] = pk

    def _households(self, candidates: list[Candidate]) -> None:
        """Find or create the building and household of each row that gives an address."""
        self._load_grids({c.grid[0] for c in candidates})
        paths = {c.grid[0]: c.grid[1] for c in candidates}
        buildings, doors = self.buildings, self.doors
        missing = {(c.grid[0], c.building) for c in candidates if c.building} - buildings.keys()
        created = Building.objects.bulk_create(
            [Building(grid_id=g, name=n, region_path=paths[g]) for g, n in sorted(missing)],
            batch_size=BATCH,
        )
        buildings.update({(b.grid_id, b.name): b.pk for b in created})
        wanted: list[tuple[tuple, Candidate]] = []
        for c in candidates:
            key = self._household_key(c, buildings)
            if key is not None and key not in doors:
                doors[key] = 0  # allocated below
                wanted.append((key, c))
            c.household_key = key
        writer = BulkWriter(Household, BULK_HOUSEHOLD_FIELDS)
        for pk, (key, c) in zip(reserve_ids(Household, len(wanted)), wanted, strict=True):
            doors[key] = pk
            grid_id, path = c.grid
            if c.building:
                writer.rows.append((pk, grid_id, key[0], path, c.unit, c.door, ""))
            else:
                writer.rows.append((pk, grid_id, None, path, "", "", key[1]))
        writer.flush()
        for c in candidates:
            c.household_id = doors[c.household_key] if c.household_key is not None else None

    @staticmethod
    def _household_key(c: Candidate, buildings: dict[tuple[int, str], int]) -> tuple | None:
        if c.building:
            return (buildings[(c.grid[0], c.building)], c.unit, c.door)
        address = c.address or c.door
        if address:
            return (c.grid[0], address[:200])
        return None

    def _create(self, new: list[Candidate]) -> None:
        persons = BulkWriter(Person, BULK_PERSON_FIELDS)
        tags = BulkWriter(PersonTag, BULK_TAG_FIELDS)
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
        persons.flush()
        tags.flush()

    def _update(self, matched: list[Candidate], existing: dict[tuple[str, str], _Known]) -> int:
        """Phones, addresses, relation, notes and tags from the ledger; blanks keep what is there.

        Tags are only added: a stale ledger must not clear a close-contact mark set since.
        """
        changed: list[Person] = []
        new_tags: list[PersonTag] = []
        moved_grid: list[int] = []
        for c in matched:
            known = existing[(c.identity.id_type, c.identity.id_number)]
            household_id = known.household_id
            if c.household_id is not None or known.grid_id != c.grid[0]:
                household_id = c.household_id
            after = _Known(
                known.id,
                c.name,
                c.phone or known.phone,
                c.grid[0],
                household_id,
                c.relation or known.relation,
                c.grid[1],
                c.notes or known.notes,
            )
            added = [
                PersonTag(person_id=known.id, kind=k, place=p, label=lb, region_path=c.grid[1])
                for k, p, lb in c.tags
                if (k, lb) not in known.tags
            ]
            if added or after.values() != known.values():
                changed.append(Person(updated_at=self.now, **after.fields()))
                new_tags += added
                self.touched.update((known.region_path, after.region_path))
            if after.region_path != known.region_path:
                moved_grid.append(known.id)
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
        person_moved(moved_grid)  # what other apps keep of them follows, in this transaction
        return len(changed)


__all__ = [
    "LedgerImportResult",
    "RejectedRow",
    "header_key",
    "import_ledger",
    "read_ledger",
]
