"""Possible duplicates: a staff member merges two records of one person, or dismisses the pair.

Never automatic. Merging keeps every record that pointed at either person: each relation to
Person (tags today; check-ins, tests and requests as those apps arrive) is moved to the kept
record, so a new app's rows are carried along without changes here.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.accounts.services import record_audit

from ..models import DuplicateDismissal, Person, PersonMerge, PersonTag
from ..moves import person_moved
from .counters import recount_grids
from .registry import PersonInvalid

_FILLED_FROM_DROPPED = ("phone", "household_id", "birth_on", "relation")


def _pair(a: Person, b: Person) -> tuple[Person, Person]:
    return (a, b) if a.pk < b.pk else (b, a)


def dismiss_duplicate(*, user: User, scope: Scope, a: Person, b: Person) -> DuplicateDismissal:
    """Record that ``a`` and ``b`` are different people: the pair is no longer listed."""
    scope.require(Cap.EDIT_PEOPLE)
    if a.pk == b.pk:
        raise PersonInvalid({"pair": _("a person cannot be a duplicate of themselves")})
    first, second = _pair(a, b)
    dismissal, _created = DuplicateDismissal.objects.get_or_create(
        first=first,
        second=second,
        defaults={"dismissed_by": user, "region_path": first.region_path},
    )
    return dismissal


def check_merge_persons(
    *, user: User, scope: Scope, keep: Person, drop: Person, request: HttpRequest | None = None
) -> Person:
    """Validate a merge of ``drop`` into ``keep`` (both in the user's scope), then merge."""
    scope.require(Cap.EDIT_PEOPLE)
    if keep.pk == drop.pk:
        raise PersonInvalid({"pair": _("a person cannot be merged with themselves")})
    if not (scope.contains(keep.region_path) and scope.contains(drop.region_path)):
        raise PersonInvalid({"pair": _("both persons must be in your area")})
    return do_merge_persons(user=user, keep=keep, drop=drop, request=request)


@transaction.atomic
def do_merge_persons(
    *, user: User, keep: Person, drop: Person, request: HttpRequest | None = None
) -> Person:
    """Move everything that points at ``drop`` to ``keep``, fill ``keep``'s blanks, delete
    ``drop``; what it was is kept as a ``PersonMerge`` of ``keep`` (its document in full only
    there, read through the audited reveal), linked from the audit entry."""
    # keep: FOR NO KEY UPDATE, so check-ins being written for keep (their foreign key takes
    # FOR KEY SHARE at commit) do not wait on the merge while holding counters it needs
    keep, drop = (
        Person.objects.select_for_update(no_key=True).get(pk=keep.pk),
        Person.objects.select_for_update().get(pk=drop.pk),
    )
    have = set(keep.tags.values_list("kind", "label"))
    for tag in list(drop.tags.all()):
        if (tag.kind, tag.label) in have:
            tag.delete()
    PersonTag.objects.filter(person=drop).update(person=keep, region_path=keep.region_path)
    PersonMerge.objects.filter(person=drop).update(person=keep, region_path=keep.region_path)
    DuplicateDismissal.objects.filter(first=drop).delete()
    DuplicateDismissal.objects.filter(second=drop).delete()
    for rel in Person._meta.related_objects:
        model = rel.related_model
        if not isinstance(model, type) or model in (PersonTag, PersonMerge, DuplicateDismissal):
            continue
        if rel.field.concrete and (rel.one_to_many or rel.one_to_one):
            try:
                with transaction.atomic():
                    model._base_manager.filter(**{rel.field.name: drop}).update(
                        **{rel.field.name: keep}
                    )
            except IntegrityError:  # e.g. both have an open alert: a person has one at most
                raise PersonInvalid(
                    {
                        "pair": _(
                            "both records have %(what)s that cannot be joined; settle one "
                            "(close it, or remove it) and merge again"
                        )
                        % {"what": model._meta.verbose_name_plural}
                    }
                ) from None
    for name in _FILLED_FROM_DROPPED:
        if not getattr(keep, name) and getattr(drop, name):
            setattr(keep, name, getattr(drop, name))
    keep.notes = "\n".join(n for n in (keep.notes, drop.notes) if n)
    merge = PersonMerge.objects.create(
        person=keep,
        region_path=keep.region_path,
        dropped_id=drop.pk,
        name=drop.name,
        id_type=drop.id_type,
        id_number=drop.id_number,
        birth_on=drop.birth_on,
        phone=drop.phone,
        merged_by=user if user.pk else None,
    )
    detail = {
        "kept": keep.pk,
        "dropped": drop.pk,
        "dropped_document": drop.id_masked,
        "merge": merge.pk,
    }
    drop.delete()
    keep.save()
    person_moved([keep.pk])  # the dropped record's open alert and periods take keep's area
    record_audit(
        user=user,
        action=AuditAction.MERGE,
        object_type="person",
        object_id=keep.pk,
        region_path=keep.region_path,
        request=request,
        detail=detail,
    )
    recount_grids([keep.region_path, drop.region_path])  # the grids' locks last
    return keep
