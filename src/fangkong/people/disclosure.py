"""What each viewer is shown of a person: the table docs/scope.md prints and the tests follow.

A mask is judged against everything the same viewer reads, on every page, API response and
export together. A viewer of a masked ID number is shown the birth year and never the date or
the age in years (an age changes on the birthday, so it tells the date to anyone who looks
twice); ID numbers and phones in free text are masked too. Roles that may reveal (``unmask``)
see the full values only through an audited reveal or an audited export.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from fangkong.accounts.choices import Role
from fangkong.accounts.scope import ROLE_CAPS, Cap, Scope
from fangkong.common.masking import mask_id_number, mask_phone, mask_text


class Field(StrEnum):
    NAME = "name"
    SEX = "sex"
    BIRTH = "birth"  # birth date, age
    ID_NUMBER = "id_number"
    PHONE = "phone"
    HOUSEHOLD = "household"  # household, address, relation, grid
    TAGS = "tags"  # vulnerable and key-person tags, the child mark
    NOTES = "notes"
    HEALTH = "health"  # check-ins, alerts, periods under watch, cases


class Detail(StrEnum):
    FULL = "full"
    MASKED = "masked"  # 4301**********0015, 138****5678; identifiers in free text masked
    YEAR = "year"  # of a birth date: the year only
    NONE = "none"  # not shown at all


MASKED: dict[Field, Detail] = {
    Field.NAME: Detail.FULL,
    Field.SEX: Detail.FULL,
    Field.BIRTH: Detail.YEAR,
    Field.ID_NUMBER: Detail.MASKED,
    Field.PHONE: Detail.MASKED,
    Field.HOUSEHOLD: Detail.FULL,
    Field.TAGS: Detail.FULL,
    Field.NOTES: Detail.MASKED,
}
UNMASKED: dict[Field, Detail] = dict.fromkeys(MASKED, Detail.FULL)
NOTHING: dict[Field, Detail] = dict.fromkeys(Field, Detail.NONE)


def _fields(caps: frozenset[Cap]) -> tuple[dict[Field, Detail], dict[Field, Detail] | None]:
    if Cap.VIEW_PEOPLE not in caps:
        return NOTHING, None
    health = {Field.HEALTH: Detail.FULL if Cap.HEALTH_VIEW in caps else Detail.NONE}
    revealed = {**UNMASKED, **health} if Cap.UNMASK in caps else None
    return {**MASKED, **health}, revealed


# role -> (what its pages, search, API and exports show; what an audited reveal or export of a
# role that may unmask shows, or None). One row per role of docs/scope.md.
FIELDS_BY_ROLE: dict[str, tuple[dict[Field, Detail], dict[Field, Detail] | None]] = {
    role: _fields(ROLE_CAPS[role]) for role in Role.values
}


def fields_for(scope: Scope, *, unmasked: bool = False) -> dict[Field, Detail]:
    """What ``scope`` is shown of a person in its scope; ``unmasked``: after an audited reveal
    (or in an export) by a role that may unmask."""
    shown, revealed = FIELDS_BY_ROLE.get(scope.role, (NOTHING, None))
    if scope.path is None:
        return NOTHING
    return revealed if unmasked and revealed is not None else shown


def id_number_as(number: str, detail: Detail) -> str:
    return number if detail == Detail.FULL else mask_id_number(number)


def phone_as(phone: str, detail: Detail) -> str:
    return phone if detail == Detail.FULL else mask_phone(phone)


def notes_as(notes: str, detail: Detail) -> str:
    return notes if detail == Detail.FULL else mask_text(notes)


def birth_as(birth_on: dt.date | None, detail: Detail) -> dt.date | int | None:
    """The birth date, or only its year."""
    if birth_on is None or detail == Detail.NONE:
        return None
    return birth_on if detail == Detail.FULL else birth_on.year


def markdown_rows() -> list[str]:
    """FIELDS_BY_ROLE as the rows of the table in docs/scope.md (a test keeps them equal)."""
    groups: dict[tuple, list[str]] = {}
    for role, (shown, revealed) in FIELDS_BY_ROLE.items():
        key = (tuple(shown.get(f, Detail.NONE) for f in Field), revealed is not None)
        groups.setdefault(key, []).append(role)
    rows = []
    for (details, reveals), roles in groups.items():
        cells = [", ".join(roles), *(d.value for d in details), "yes" if reveals else "no"]
        rows.append("| " + " | ".join(cells) + " |")
    return rows
