"""A reveal shows the documents of the records merged into a person too: its audit entry says
which merged records were revealed."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from fangkong.accounts.models import AuditEntry
from fangkong.common.idnumbers import make
from fangkong.people.models import PersonMerge
from fangkong.people.services.dedupe import do_merge_persons

from ..conftest import make_person


def merged_twice(tree, people):
    keep = tree.person_a
    drops = [
        make_person(tree.grid_a, name="张伟", id_number=make("430102", dt.date(1961, 3, 3), n))
        for n in (71, 73)
    ]
    for drop in drops:
        do_merge_persons(user=people.community, keep=keep, drop=drop)
    return keep, [d.pk for d in drops], [d.id_number for d in drops]


def test_the_reveal_audit_lists_the_merged_records_it_showed(tree, people, login):
    keep, dropped_ids, numbers = merged_twice(tree, people)
    page = login(people.grid_a).post(reverse("people:reveal", args=[keep.pk])).content.decode()
    assert all(number in page for number in numbers)  # their documents, in full
    entry = AuditEntry.objects.filter(action="view_unmasked").get()
    assert entry.object_id == str(keep.pk)
    merges = PersonMerge.objects.filter(person=keep).order_by("merged_at", "id")
    assert entry.detail["merged"] == [m.pk for m in merges]
    assert entry.detail["merged_persons"] == dropped_ids


def test_a_reveal_of_a_person_never_merged_lists_no_merged_records(tree, people, login):
    login(people.grid_a).post(reverse("people:reveal", args=[tree.person_a.pk]))
    assert "merged" not in AuditEntry.objects.get(action="view_unmasked").detail
