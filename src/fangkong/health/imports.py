"""Check-ins from another system's CSV or Excel file (`fangkong import checkins FILE`).

Columns (header names in Chinese or English): 证件号码/身份证号 (or person_id), 体温, 测量时间
(optional: now), 症状 (optional, 、-separated codes or Chinese names). Each row's client id is
derived from its person, time and temperature, so importing the same file twice stores nothing
new.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.common import spreadsheets
from fangkong.common.digits import ascii_digits, is_ascii_number
from fangkong.common.idnumbers import normalise
from fangkong.common.params import int_or
from fangkong.people.models import Person

from .choices import Source, Symptom
from .services import MAX_BATCH, CheckInData, record_check_ins

NAMESPACE = uuid.UUID("6f1b8d2e-3c4a-4f5b-9a6c-7d8e9f0a1b2c")
HEADERS = {
    "id_number": ("证件号码", "身份证号", "身份证号码", "id_number"),
    "person_id": ("person_id", "人员编号"),
    "temperature": ("体温", "temperature"),
    "measured_at": ("测量时间", "时间", "measured_at"),
    "symptoms": ("症状", "symptoms"),
}
_SYMPTOM_WORDS = {str(s.label): s.value for s in Symptom} | {s.value: s.value for s in Symptom}
_SYMPTOM_WORDS |= {"发热": "fever", "咳嗽": "cough", "乏力": "fatigue", "咽痛": "sore_throat"}
_SYMPTOM_WORDS |= {"腹泻": "diarrhoea", "呼吸困难": "breath", "嗅觉味觉减退": "smell_taste"}


class CheckInFileInvalid(ValueError):
    pass


@dataclass
class CheckInImportResult:
    read: int = 0
    created: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for c, title in enumerate(header):
        for name, aliases in HEADERS.items():
            if title.strip().lower() in aliases and name not in found:
                found[name] = c
    if "temperature" not in found or not ({"id_number", "person_id"} & found.keys()):
        raise CheckInFileInvalid(
            _("the first row must name the columns 证件号码 (or person_id) and 体温")
        )
    return found


def _when(text: str) -> dt.datetime | None:
    if not text:
        return None
    value = dt.datetime.fromisoformat(text.replace("/", "-"))
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def import_check_ins(*, data: bytes, filename: str) -> CheckInImportResult:
    """Store a file of check-ins in batches of 1,000; every row counted or rejected."""
    try:
        table = spreadsheets.read_table(data, filename)
    except spreadsheets.SpreadsheetError as e:
        raise CheckInFileInvalid(str(e)) from None
    if not table.rows:
        raise CheckInFileInvalid(_("the file is empty"))
    cols = _columns(table.rows[0])
    result = CheckInImportResult()
    rows = [(i + 1, r) for i, r in enumerate(table.rows) if i and any(c.strip() for c in r)]
    result.read = len(rows)
    for start in range(0, len(rows), MAX_BATCH):
        _batch(rows[start : start + MAX_BATCH], cols, result)
    return result


def _cell(row: list[str], cols: dict[str, int], name: str) -> str:
    c = cols.get(name)
    return row[c].strip() if c is not None and c < len(row) else ""


def _batch(rows: list[tuple[int, list[str]]], cols: dict[str, int], result) -> None:
    numbers = {normalise(_cell(r, cols, "id_number")) for _n, r in rows} - {""}
    by_number = dict(Person.objects.filter(id_number__in=numbers).values_list("id_number", "id"))
    items, row_numbers = [], []
    for number, row in rows:
        raw_id = ascii_digits(_cell(row, cols, "person_id"))
        person_id = (  # an id past the database's integers is nobody, not a crash
            int_or(raw_id, None)
            if is_ascii_number(raw_id)
            else by_number.get(normalise(_cell(row, cols, "id_number")))
        )
        if person_id is None:
            result.rejected.append((number, _("no registered person with this document")))
            continue
        try:
            measured_at = _when(_cell(row, cols, "measured_at"))
        except ValueError:
            result.rejected.append((number, _("测量时间 is not a time like 2022-01-28 15:30")))
            continue
        words = _cell(row, cols, "symptoms").replace(",", "、").split("、")
        symptoms = [_SYMPTOM_WORDS.get(w.strip(), w.strip()) for w in words if w.strip()]
        temperature = _cell(row, cols, "temperature")
        key = f"{person_id}|{measured_at.isoformat() if measured_at else ''}|{temperature}"
        items.append(
            CheckInData(
                client_id=uuid.uuid5(NAMESPACE, key),
                person_id=person_id,
                temperature=temperature,
                measured_at=measured_at,
                symptoms=symptoms,
                source=Source.IMPORT,
            )
        )
        row_numbers.append(number)
    persons = dict(
        Person.objects.filter(id__in={i.person_id for i in items}).values_list("id", "region_path")
    )
    done = record_check_ins(items=items, persons=persons)
    result.created += done.created
    result.duplicates += done.duplicates
    for i, errors in done.rejected:
        result.rejected.append((row_numbers[i], "; ".join(errors.values())))
