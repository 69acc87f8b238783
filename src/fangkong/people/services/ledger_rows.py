"""Checking a ledger's rows one by one: what each row says, or why it is refused."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.common.digits import ascii_digits
from fangkong.regions.choices import Level
from fangkong.regions.models import Region

from ..choices import IdType, TagKind
from ..ledger import (
    REASON_HEADER,
    Col,
    Header,
    LedgerInvalid,
    LedgerRow,
    categories_of,
    id_type_of,
    id_type_words,
    is_yes,
    parse_date,
    sex_of,
)
from .registry import Identity, PersonInvalid, clean_identity, clean_name, clean_phone

_BUILDING_NO = re.compile(r"^([0-9]+)\s*(号楼|号|栋|幢|座)?$")
_UNIT_NO = re.compile(r"^([0-9]+)\s*(单元)?$")
_DOOR_NO = re.compile(r"^([0-9]+)\s*(室|号|房)?$")


@dataclass(eq=False)
class Candidate:
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
    household_key: tuple | None = None
    household_id: int | None = None


class Rejected(Exception):
    pass


def _norm(text: str) -> str:
    """Width-folded (NFKC), inner spaces collapsed, trimmed."""
    if not text:
        return ""
    if not text.isascii():
        text = ascii_digits(text)  # NFKC, and every script's digits to ASCII
    return " ".join(text.split())


@functools.lru_cache(maxsize=4096)
def _place_part(text: str, pattern: re.Pattern[str], form: str) -> str:
    text = _norm(text)
    if not text:
        return ""
    m = pattern.match(text)
    return form.format(m.group(1).lstrip("0") or "0") if m else text


class Checker:
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
            today=self.today,
            id_type=id_type,
            id_number=row.get(Col.ID_NUMBER),
            birth_on=birth_on,
            sex=sex_of(row.get(Col.SEX)),
        )

    def check(self, row: LedgerRow) -> Candidate:
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
            raise Rejected("; ".join(errors.values()))
        identity: Identity = values["identity"]
        document = (identity.id_type, identity.id_number)
        if document in self.seen:
            raise Rejected(
                _("duplicate of row %(n)d (the same document number)") % {"n": self.seen[document]}
            )
        self.seen[document] = row.number
        return self._candidate(row, values)

    def _candidate(self, row: LedgerRow, values: dict[str, Any]) -> Candidate:
        tags = categories_of(row.get(Col.CATEGORIES))
        if is_yes(row.get(Col.ALONE)):
            tags.append((TagKind.ELDERLY_ALONE.value, "", ""))
        notes = [_norm(row.get(Col.NOTES))] if row.get(Col.NOTES) else []
        notes += [f"{title}: {value}" for title, value in row.extra if title != REASON_HEADER]
        return Candidate(
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
