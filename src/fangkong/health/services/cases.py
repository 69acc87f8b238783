"""Cases and their contacts: a contact is tagged and put under watch by the region's rule."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.people.choices import TagKind
from fangkong.people.models import Person
from fangkong.people.services import TagData, do_tag_person

from ..choices import CaseClass, ContactKind
from ..models import Case, Contact, Observation
from ..rules import rules_for
from .checkins import CheckInInvalid
from .observation import do_observe_contact


def check_report_case(
    *,
    user: User,
    scope: Scope,
    person: Person,
    classification: str,
    report_on: dt.date | None = None,
    onset_on: dt.date | None = None,
    note: str = "",
) -> Case:
    scope.require(Cap.CASES)
    today = timezone.localdate()
    report_on = report_on or today
    errors = {}
    if classification not in CaseClass.values:
        errors["classification"] = _("allowed: %(a)s") % {
            "a": ", ".join(str(c.label) for c in CaseClass)
        }
    if report_on > today:
        errors["report_on"] = _("the report date is in the future")
    if onset_on and onset_on > report_on:
        errors["onset_on"] = _("onset cannot be after the report date")
    if errors:
        raise CheckInInvalid(errors)
    return Case.objects.create(
        person=person,
        region_path=person.region_path,
        classification=classification,
        onset_on=onset_on,
        report_on=report_on,
        note=note.strip()[:200],
        created_by=user,
    )


@transaction.atomic
def check_add_contact(
    *,
    user: User,
    scope: Scope,
    case: Case,
    person: Person,
    kind: str,
    last_exposure_on: dt.date,
    via: Contact | None = None,
) -> tuple[Contact, list[Observation]]:
    """Link a contact to a case, tag them, and start their observation by rule."""
    scope.require(Cap.CASES)
    errors = {}
    if kind not in ContactKind.values:
        errors["kind"] = _("allowed: %(a)s") % {"a": ", ".join(str(c.label) for c in ContactKind)}
    if last_exposure_on > timezone.localdate():
        errors["last_exposure_on"] = _("the last exposure is in the future")
    if person.pk == case.person_id:
        errors["person"] = _("a case is not their own contact")
    if kind == ContactKind.SECONDARY and via is None:
        errors["via"] = _("a secondary contact is exposed through a close contact: name them")
    if errors:
        raise CheckInInvalid(errors)
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                case=case,
                via=via,
                person=person,
                region_path=person.region_path,
                kind=kind,
                last_exposure_on=last_exposure_on,
                created_by=user,
            )
    except IntegrityError:
        raise CheckInInvalid({"person": _("already a contact of this case")}) from None
    tag = TagKind.CLOSE_CONTACT if kind == ContactKind.CLOSE else TagKind.SECONDARY_CONTACT
    do_tag_person(person=person, tag=TagData(tag, event_on=last_exposure_on))
    rules = rules_for(person.region_path)
    if kind == ContactKind.CLOSE:
        plan = (rules.close_contact_kind, rules.close_contact_days, rules.close_contact_home_days)
    else:
        plan = (rules.secondary_contact_kind, rules.secondary_contact_days, 0)
    periods = do_observe_contact(
        person=person,
        contact=contact,
        last_exposure_on=last_exposure_on,
        kind=plan[0],
        days=plan[1],
        home_days=plan[2],
        user=user,
        reason=str(contact.get_kind_display()),
    )
    return contact, periods
