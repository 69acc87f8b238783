"""Funds received and payments made from them; a balance is the amount less the payments."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.common.money import show
from fangkong.regions.models import Region

from ..choices import Source
from ..models import Fund, FundPayment
from .errors import FundsInvalid


def balance_of(fund: Fund) -> int:
    """What is left of the fund, in fen."""
    paid = fund.payments.aggregate(n=Sum("amount_fen"))["n"] or 0
    return fund.amount_fen - paid


def check_add_fund(
    *,
    code: str,
    name: str,
    source: str,
    purpose: str,
    document: str,
    amount_fen: int,
    region: Region,
    allocated_on: dt.date | None = None,
) -> Fund:
    """Record a fund allocated to the response (a code once; FundsInvalid otherwise)."""
    code = code.strip()
    if not code or not name.strip():
        raise FundsInvalid(_("a fund needs a code and a name"))
    if len(code) > 32 or not code.isprintable():
        raise FundsInvalid(_("a code is at most 32 letters, digits and dashes"))
    if source not in Source.values:
        raise FundsInvalid(_("the source must be one of: %(s)s") % {"s": ", ".join(Source.values)})
    if not document.strip():
        raise FundsInvalid(_("name the document that allocates the fund (its number)"))
    if amount_fen <= 0:
        raise FundsInvalid(_("the amount must be more than 0"))
    if Fund.objects.filter(code=code).exists():
        raise FundsInvalid(_("a fund with code %(c)s exists already") % {"c": code})
    return Fund.objects.create(
        code=code,
        name=name.strip()[:120],
        source=source,
        purpose=purpose.strip()[:200],
        document=document.strip()[:100],
        amount_fen=amount_fen,
        region=region,
        region_path=region.path,
        allocated_on=allocated_on or timezone.localdate(),
    )


@transaction.atomic
def check_record_payment(
    *,
    fund: Fund,
    client_id: uuid.UUID,
    amount_fen: int,
    payee: str,
    purpose: str,
    document: str,
    ahead: bool = False,
    paid_on: dt.date | None = None,
    user: User | None = None,
) -> FundPayment:
    """Pay from a fund with the document it is paid on; never more than its balance (checked
    under a lock on the fund). The same ``client_id`` again returns the first payment."""
    earlier = FundPayment.objects.filter(client_id=client_id).first()
    if earlier is not None:
        if (earlier.fund_id, earlier.amount_fen, earlier.payee) != (
            fund.pk,
            amount_fen,
            payee.strip()[:120],
        ):
            # the same form brought back (the browser's back button) with another payment in it
            raise FundsInvalid(
                _(
                    "this form was sent already (payment of %(amount)s to %(payee)s); open the "
                    "fund's page again to record another payment"
                )
                % {"amount": show(earlier.amount_fen), "payee": earlier.payee}
            )
        return earlier
    if not document.strip():
        raise FundsInvalid(_("name the document the payment is made on (its number)"))
    if not payee.strip():
        raise FundsInvalid(_("name whom the money is paid to"))
    if amount_fen <= 0:
        raise FundsInvalid(_("the amount must be more than 0"))
    locked = Fund.objects.select_for_update().get(pk=fund.pk)
    left = balance_of(locked)
    if amount_fen > left:
        raise FundsInvalid(
            _("the fund %(f)s has %(left)s left; %(amount)s cannot be paid from it")
            % {"f": locked.code, "left": show(left), "amount": show(amount_fen)}
        )
    return FundPayment.objects.create(
        fund=locked,
        client_id=client_id,
        amount_fen=amount_fen,
        payee=payee.strip()[:120],
        purpose=purpose.strip()[:200],
        document=document.strip()[:100],
        ahead=ahead,
        paid_on=paid_on or timezone.localdate(),
        region_path=locked.region_path,
        recorded_by=user,
    )
