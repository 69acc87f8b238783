"""Cases, their contacts and transmission chains; linked people outside a scope unnamed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.scope import Cap, Scope
from fangkong.people.models import Person
from fangkong.regions.models import Region

from ..models import (
    Case,
    Contact,
)


def cases_in(scope: Scope, region: Region) -> QuerySet[Case]:
    scope.require(Cap.HEALTH_VIEW)
    return (
        scope.filter(Case.objects.filter(region_path__startswith=region.path))
        .select_related("person")
        .order_by("-report_on", "-id")
    )


@dataclass(frozen=True)
class Linked:
    """A person reached through a record in scope (a case's contact, a contact's case), as the
    viewer may see them: inside their scope by name with the id to link to; outside it only
    as "a contact in another area" — no name, no id, no link."""

    name: str
    pk: int | None  # the person (or case) to link to; None outside the scope


CONTACT_ELSEWHERE = _("a contact in another area")
CASE_ELSEWHERE = _("a case in another area")


def linked(
    scope: Scope, person: Person, elsewhere: str, *, pk: int | None = None, path: str = ""
) -> Linked:
    """The one way a linked person is shown: ``pk`` (default the person's) is given only when
    the person, and the record at ``path`` if given, are inside the scope."""
    if scope.contains(person.region_path) and (not path or scope.contains(path)):
        return Linked(person.name, pk if pk is not None else person.pk)
    return Linked(str(elsewhere), None)


@dataclass(frozen=True)
class CaseContact:
    contact: Contact
    person: Linked
    via: Linked | None


def case_contacts(scope: Scope, case: Case) -> list[CaseContact]:
    """A case's contacts, each as the viewer may see them (some may live in other areas)."""
    scope.require(Cap.HEALTH_VIEW)
    contacts = case.contacts.select_related("person", "via__person").order_by("id")
    return [
        CaseContact(
            c,
            linked(scope, c.person, CONTACT_ELSEWHERE),
            linked(scope, c.via.person, CONTACT_ELSEWHERE) if c.via else None,
        )
        for c in contacts
    ]


def contact_of(scope: Scope, person: Person) -> list[tuple[Contact, Linked]]:
    """The cases a person is a contact of; a case outside the viewer's scope has no name."""
    scope.require(Cap.HEALTH_VIEW)
    return [
        (c, linked(scope, c.case.person, CASE_ELSEWHERE, pk=c.case_id, path=c.case.region_path))
        for c in person.contacts.select_related("case__person").order_by("-last_exposure_on")
    ]


def cases_of(scope: Scope, person: Person) -> list[tuple[Case, bool]]:
    """A person's own cases, newest first, each with whether the viewer may open its page (a
    case stays where it was reported, which may be outside the scope after a move)."""
    scope.require(Cap.HEALTH_VIEW)
    return [
        (c, scope.contains(c.region_path))
        for c in person.cases.order_by(F("closed_on").desc(nulls_first=True), "-report_on", "-id")
    ]


@dataclass
class ChainNode:
    """A case with its contacts; a contact who became a case carries that case's node."""

    case: Case
    shown: Linked
    contacts: list[tuple[Contact, Linked, ChainNode | None, list[tuple[Contact, Linked]]]] = field(
        default_factory=list
    )


def transmission_chains(scope: Scope, region: Region) -> list[ChainNode]:
    """Cases and contacts of a region as trees: case → close contacts (→ their secondary
    contacts); a contact later reported as a case continues the chain under it. A contact in
    another area is shown without a name."""
    cases = list(cases_in(scope, region))
    contacts = list(Contact.objects.filter(case__in=cases).select_related("person").order_by("id"))
    case_of_person = {c.person_id: c for c in cases}
    nodes = {c.pk: ChainNode(c, linked(scope, c.person, CASE_ELSEWHERE, pk=c.pk)) for c in cases}
    secondary: dict[int, list[tuple[Contact, Linked]]] = defaultdict(list)
    for contact in contacts:
        if contact.via_id:
            secondary[contact.via_id].append(
                (contact, linked(scope, contact.person, CONTACT_ELSEWHERE))
            )
    children: set[int] = set()
    for contact in contacts:
        if contact.via_id:
            continue
        became = case_of_person.get(contact.person_id)
        if became is not None and became.pk != contact.case_id:
            children.add(became.pk)
        nodes[contact.case_id].contacts.append(
            (
                contact,
                linked(scope, contact.person, CONTACT_ELSEWHERE),
                nodes.get(became.pk) if became is not None else None,
                secondary[contact.pk],
            )
        )
    return [n for pk, n in nodes.items() if pk not in children]
