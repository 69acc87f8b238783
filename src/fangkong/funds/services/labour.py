"""Work resumption and labour placement: enterprises' daily reports, returned migrant workers
registered from the registry's returnee tag with their intention, job openings and placements.
A placement takes one position of an opening by a conditional update (never more filled than
offered, under any number of staff at once)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.common.text import InvalidText, clean_name
from fangkong.people.choices import TagKind
from fangkong.people.models import Person
from fangkong.regions.models import Region

from ..choices import Intention, LabourStatus
from ..models import Enterprise, JobOpening, ResumptionReport, Returnee
from .errors import FundsInvalid

MAX_STAFF = 1_000_000
BATCH = 2000


def _name(text: str, what: str) -> str:
    try:
        name = clean_name(text)[:120]
    except InvalidText as e:
        raise FundsInvalid(str(e)) from None
    if not name:
        raise FundsInvalid(_("give the %(what)s's name") % {"what": what})
    return name


def check_add_enterprise(*, name: str, region: Region) -> Enterprise:
    """An enterprise of the region (a name once per region: the same one again returns it)."""
    name = _name(name, _("enterprise"))
    enterprise, _created = Enterprise.objects.get_or_create(
        region=region, name=name, defaults={"region_path": region.path}
    )
    return enterprise


def _count(value: int | None, what: str) -> int:
    if value is None or value < 0 or value > MAX_STAFF:
        raise FundsInvalid(
            _("%(what)s must be a whole number from 0 to %(max)d")
            % {"what": what, "max": MAX_STAFF}
        )
    return value


@transaction.atomic
def check_report_resumption(
    *,
    enterprise: Enterprise,
    resumed: bool,
    staff_total: int | None,
    staff_back: int | None,
    on: dt.date | None = None,
    user: User | None = None,
) -> ResumptionReport:
    """The enterprise's report for the day; a second report the same day replaces the first."""
    total = _count(staff_total, _("the staff"))
    back = _count(staff_back, _("the staff back"))
    if back > total:
        raise FundsInvalid(
            _("%(back)d staff back is more than its %(total)d staff")
            % {"back": back, "total": total}
        )
    report, _created = ResumptionReport.objects.update_or_create(
        enterprise=enterprise,
        reported_on=on or timezone.localdate(),
        defaults={
            "resumed": resumed,
            "staff_total": total,
            "staff_back": back,
            "region_path": enterprise.region_path,
            "recorded_by": user,
        },
    )
    return report


def check_add_opening(*, enterprise: Enterprise, title: str, positions: int | None) -> JobOpening:
    title = _name(title, _("job"))
    if positions is None or not 0 < positions <= MAX_STAFF:
        raise FundsInvalid(
            _("the positions must be a whole number from 1 to %(max)d") % {"max": MAX_STAFF}
        )
    return JobOpening.objects.create(
        enterprise=enterprise, title=title, positions=positions, region_path=enterprise.region_path
    )


@transaction.atomic
def register_returnees(*, region: Region) -> int:
    """Every person of the region with the registry's returnee tag not registered yet (in
    batches); how many were added."""
    tagged = (
        Person.objects.filter(
            region_path__startswith=region.path,
            tags__kind=TagKind.RETURNEE,
        )
        .exclude(pk__in=Returnee.objects.values("person_id"))
        .values_list("pk", "region_path")
        .distinct()
    )
    rows = [Returnee(person_id=pk, region_path=path) for pk, path in tagged]
    Returnee.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)


_STATUS_OF = {
    Intention.GO_OUT: LabourStatus.GONE_OUT,
    Intention.STAY: LabourStatus.STAYING,
    Intention.BUSINESS: LabourStatus.PLACED,
}


def check_set_intention(*, returnee: Returnee, intention: str, done: bool = False) -> Returnee:
    """What the worker means to do. ``done``: they have gone back out, or started their
    business; staying for health is where they stand at once. A placed worker keeps the job."""
    if intention not in Intention.values:
        raise FundsInvalid(
            _("the intention must be one of: %(v)s") % {"v": ", ".join(Intention.values)}
        )
    if returnee.opening_id is not None:
        raise FundsInvalid(_("this worker has a job already: %(o)s") % {"o": returnee.opening})
    status = LabourStatus.TO_PLACE
    if intention == Intention.STAY or (done and intention in _STATUS_OF):
        status = _STATUS_OF[Intention(intention)]
    Returnee.objects.filter(pk=returnee.pk).update(
        intention=intention, status=status, changed_at=timezone.now()
    )
    returnee.refresh_from_db()
    return returnee


@transaction.atomic
def check_place(*, returnee: Returnee, opening: JobOpening) -> Returnee:
    """Place a worker still to place in one of an opening's positions."""
    taken = Returnee.objects.filter(
        pk=returnee.pk, status=LabourStatus.TO_PLACE, opening__isnull=True
    ).update(
        status=LabourStatus.PLACED,
        opening=opening,
        intention=Intention.LOCAL,
        changed_at=timezone.now(),
    )
    if not taken:
        raise FundsInvalid(_("only a worker still to place can be placed"))
    try:
        with transaction.atomic():
            filled = JobOpening.objects.filter(pk=opening.pk, filled__lt=F("positions")).update(
                filled=F("filled") + 1
            )
    except IntegrityError:  # pragma: no cover - the condition keeps the check from firing
        filled = 0
    if not filled:
        raise FundsInvalid(_("every position of %(o)s is filled") % {"o": opening})
    returnee.refresh_from_db()
    return returnee
