"""Labs: registering one and its operators, sending tubes to it (送检), and a lab confirming a
conflicting report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.models import Region

from ..choices import TubeStatus
from ..labmodels import Dispatch, Lab, LabOperator, ResultConflict
from ..models import Tube
from ..samplefile import BarcodeInvalid, clean_barcode
from .errors import ScreeningInvalid

MAX_SEND = 500  # barcodes a request: a transport box or two


def do_register_lab(*, code: str, name: str, region: Region, operators: Sequence[User] = ()) -> Lab:
    """A lab (found again by its code), with lab-operator accounts that belong to it."""
    lab, _created = Lab.objects.update_or_create(
        code=code, defaults={"name": name, "region": region, "region_path": region.path}
    )
    for user in operators:
        if user.role != Role.LAB:
            raise ScreeningInvalid({"user": _("%(u)s is not a lab operator") % {"u": user}})
        LabOperator.objects.update_or_create(user=user, defaults={"lab": lab})
    return lab


@dataclass
class SendResult:
    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # sent to this lab before: a retry
    refused: list[tuple[str, str]] = field(default_factory=list)  # (barcode, reason)


def check_send_tubes(
    *, user: User | None, scope: Scope | None, lab: Lab, barcodes: list[str]
) -> SendResult:
    """Send closed tubes of the sender's area to a lab; a tube still open, not in the area, or
    sent to another lab is refused with the reason; sending again to the same lab is a retry.
    ``scope`` None: the command line, every tube."""
    if scope is not None:
        scope.require(Cap.SAMPLING)
    if len(barcodes) > MAX_SEND:
        raise ScreeningInvalid({"barcodes": _("at most %(n)d tubes at a time") % {"n": MAX_SEND}})
    out = SendResult()
    codes: list[str] = []
    for text in barcodes:
        try:
            code = clean_barcode(text)
        except BarcodeInvalid as e:
            out.refused.append((text[:50], str(e)))
            continue
        if code not in codes:
            codes.append(code)
    with transaction.atomic():
        qs = Tube.objects.select_for_update().filter(barcode__in=codes)
        if scope is not None:
            qs = scope.filter(qs)
        tubes = {t.barcode: t for t in qs}
        sent = dict(
            Dispatch.objects.filter(tube__barcode__in=codes).values_list("tube_id", "lab_id")
        )
        now = timezone.now()
        new = []
        for code in codes:
            why = _refusal(tubes.get(code), code, sent, lab)
            if why == "already":
                out.already.append(code)
            elif why:
                out.refused.append((code, why))
            else:
                new.append(Dispatch(tube=tubes[code], lab=lab, sent_at=now, sent_by=user))
                out.sent.append(code)
        Dispatch.objects.bulk_create(new)
        Tube.objects.filter(pk__in=[d.tube_id for d in new]).update(
            status=TubeStatus.SENT, lab=lab.name[:100]
        )
    return out


def _refusal(tube: Tube | None, code: str, sent: dict[int, int], lab: Lab) -> str:
    if tube is None:
        return _("no tube %(code)s in your area") % {"code": code}
    if tube.pk in sent:
        return (
            "already"
            if sent[tube.pk] == lab.pk
            else _("tube %(code)s went to another lab") % {"code": code}
        )
    if tube.status == TubeStatus.OPEN:
        return _("tube %(code)s is still open: close it first") % {"code": code}
    return ""


def check_confirm_conflict(*, user: User, lab: Lab, conflict: ResultConflict) -> ResultConflict:
    """The lab has checked a conflicting report; the standing result stays."""
    if conflict.lab_id != lab.pk:
        raise ScreeningInvalid({"conflict": _("this report is another lab's")})
    updated = ResultConflict.objects.filter(pk=conflict.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now(), confirmed_by=user
    )
    if not updated:
        raise ScreeningInvalid({"conflict": _("already confirmed")})
    conflict.refresh_from_db()
    return conflict


def lab_command(action: str, **options) -> dict:
    """``fangkong screening lab|send``: what it did, as the command prints it."""
    from django.core.management.base import CommandError

    from fangkong.regions.codes import canonical_code

    try:
        if action == "lab":
            region = Region.objects.filter(code=canonical_code(options["region"])).first()
            if region is None:
                raise CommandError(f"no region with code {options['region']}")
            users = list(User.objects.filter(username__in=options["operator"]))
            missing = set(options["operator"]) - {u.username for u in users}
            if missing:
                raise CommandError(f"no account {', '.join(sorted(missing))}")
            made = do_register_lab(
                code=options["code"], name=options["name"], region=region, operators=users
            )
            return {"id": made.pk, "code": made.code, "name": made.name, "operators": len(users)}
        lab = Lab.objects.filter(code=options["lab"]).first()
        if lab is None:
            raise CommandError(f"no lab with code {options['lab']}")
        result = check_send_tubes(user=None, scope=None, lab=lab, barcodes=options["barcodes"])
    except ScreeningInvalid as e:
        raise CommandError(str(e)) from None
    return {
        "sent": len(result.sent),
        "already": len(result.already),
        "refused": [{"barcode": b, "reason": r} for b, r in result.refused],
    }
