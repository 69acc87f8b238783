"""Cases and their contacts: a contact is tagged and put under watch by the region's rule."""

from __future__ import annotations

import datetime as dt
import uuid

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
from .days import check_dates
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
    client_id: uuid.UUID | None = None,
) -> Case:
    """Report a case. The form's ``client_id`` again returns the case it made (a resubmit
    never doubles); a person with an open case is refused: change or close that one."""
    scope.require(Cap.CASES)
    if client_id is not None:
        made = Case.objects.filter(client_id=client_id).first()
        if made is not None:
            if made.person_id != person.pk:
                raise CheckInInvalid({"client_id": _("this form was used already; reload it")})
            return made
    today = timezone.localdate()
    report_on = report_on or today
    errors: dict[str, str] = {}
    if classification not in CaseClass.values:
        errors["classification"] = _("allowed: %(a)s") % {
            "a": ", ".join(str(c.label) for c in CaseClass)
        }
    check_dates(errors, today, report_on=report_on, onset_on=onset_on)
    if onset_on and onset_on > report_on:
        errors.setdefault("onset_on", _("onset cannot be after the report date"))
    open_case = _open_case(person)
    if open_case is not None:
        errors["person"] = _(
            "this person already has an open case (%(kind)s, reported %(on)s): change or close "
            "that one"
        ) % {"kind": open_case.get_classification_display(), "on": open_case.report_on}
    if errors:
        raise CheckInInvalid(errors)
    try:
        with transaction.atomic():
            return Case.objects.create(
                client_id=client_id,
                person=person,
                region_path=person.region_path,
                classification=classification,
                onset_on=onset_on,
                report_on=report_on,
                note=note.strip()[:200],
                created_by=user,
            )
    except IntegrityError:  # the same form, or another case for them, a moment ago
        made = Case.objects.filter(client_id=client_id).first() if client_id else None
        if made is not None and made.person_id == person.pk:
            return made
        raise CheckInInvalid({"person": _("this person already has an open case")}) from None


def _open_case(person: Person) -> Case | None:
    return Case.objects.filter(person=person, closed_on__isnull=True).first()


def check_close_case(*, user: User, scope: Scope, case: Case, reason: str) -> Case:
    """Close an open case (recovered, ruled out, ...) with the reason; today's date."""
    scope.require(Cap.CASES)
    if not reason.strip():
        raise CheckInInvalid({"reason": _("say why the case is closed")})
    if not do_close_case(case_id=case.pk, reason=reason):
        raise CheckInInvalid({"case": _("this case is already closed")})
    case.refresh_from_db()
    return case


def do_close_case(*, case_id: int, reason: str) -> bool:
    """Close an open case today (a patient discharged recovered); False when it was already
    closed. For other apps' services, which decide who may."""
    return bool(
        Case.objects.filter(pk=case_id, closed_on__isnull=True).update(
            closed_on=timezone.localdate(), close_reason=reason.strip()[:200]
        )
    )


@transaction.atomic
def check_add_contact(
    *,
    user: User,
    scope: Scope,
    case: Case,
    person: Person,
    kind: str,
    last_exposure_on: dt.date | None = None,
    via: Contact | None = None,
) -> tuple[Contact, list[Observation]]:
    """Link a contact to a case, tag them, and start their observation by rule, counted from
    the last exposure (none given: today, the longest watch)."""
    scope.require(Cap.CASES)
    today = timezone.localdate()
    last_exposure_on = last_exposure_on or today
    errors: dict[str, str] = {}
    if kind not in ContactKind.values:
        errors["kind"] = _("allowed: %(a)s") % {"a": ", ".join(str(c.label) for c in ContactKind)}
    check_dates(errors, today, last_exposure_on=last_exposure_on)
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
