"""Merges used to write the dropped record's full document into the kept record's notes
("由 朱秀（居民身份证 430102199804090005）合并而来"), which every role that reads the person saw.
Each such line becomes a PersonMerge row (shown masked, in full only through the audited reveal)
and leaves the notes."""

import datetime as dt
import re

from django.db import migrations

# The note as the merge wrote it, in Chinese (the default) or English, whatever the language.
_NOTE = (
    re.compile(r"^由 (?P<name>.+?)（(?P<type>[^（）]+?) (?P<number>[0-9A-Za-z]+)）合并而来$"),
    re.compile(r"^merged from (?P<name>.+?), (?P<type>.+?) (?P<number>[0-9A-Za-z]+)$"),
)
_TYPES = {
    "居民身份证": "resident_id",
    "Resident ID card": "resident_id",
    "护照": "passport",
    "Passport": "passport",
    "港澳台居民居住证": "hmt_residence",
    "HK/Macao/Taiwan residence permit": "hmt_residence",
    "往来内地通行证": "mainland_permit",
    "Mainland travel permit": "mainland_permit",
    "其他证件": "other",
    "Other document": "other",
}


def _birth(id_type, number):
    if id_type != "resident_id" or len(number) != 18:
        return None
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def _audit_entry(entries, number):
    """The merge's audit entry: the one whose masked document ends like ``number``."""
    for entry in entries:
        shown = str((entry.detail or {}).get("dropped_document", ""))
        if len(shown) == len(number) and shown[-4:] == number[-4:]:
            entries.remove(entry)
            return entry
    return None


def _split(notes):
    kept, merged = [], []
    for line in notes.split("\n"):
        match = next((m for m in (p.match(line.strip()) for p in _NOTE) if m), None)
        (merged if match else kept).append(match or line)
    return kept, merged


def forwards(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    PersonMerge = apps.get_model("people", "PersonMerge")
    AuditEntry = apps.get_model("accounts", "AuditEntry")
    candidates = Person.objects.filter(notes__contains="合并而来") | Person.objects.filter(
        notes__contains="merged from"
    )
    for person in candidates.iterator():
        kept, merged = _split(person.notes)
        if not merged:
            continue
        entries = list(
            AuditEntry.objects.filter(
                action="merge", object_type="person", object_id=str(person.pk)
            ).order_by("at")
        )
        for m in merged:
            number = m.group("number").upper()
            id_type = _TYPES.get(m.group("type"), "other")
            entry = _audit_entry(entries, number)
            PersonMerge.objects.create(
                person_id=person.pk,
                region_path=person.region_path,
                dropped_id=int((entry.detail or {}).get("dropped", 0)) if entry else 0,
                name=m.group("name")[:50],
                id_type=id_type,
                id_number=number[:30],
                birth_on=_birth(id_type, number),
                merged_by_id=entry.user_id if entry else None,
                merged_at=entry.at if entry else person.updated_at,
            )
        Person.objects.filter(pk=person.pk).update(notes="\n".join(kept).strip("\n"))


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_person_merge"),
        ("accounts", "0002_audit_merge"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
