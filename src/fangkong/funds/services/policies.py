"""Allowance policies and their fixed rates."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.common.money import InvalidAmount, parse_fen
from fangkong.regions.models import Region

from ..choices import PolicyKind
from ..models import Fund, Policy, Rate
from .errors import FundsInvalid


def parse_rates(texts: list[str]) -> dict[str, int]:
    """``["医疗队员=5000", "本地医务人员=2,000.00"]`` → category → fen; FundsInvalid for a
    malformed one, a category twice, or none at all."""
    rates: dict[str, int] = {}
    for text in texts:
        category, sep, amount = text.partition("=")
        category = " ".join(category.split())
        if not sep or not category:
            raise FundsInvalid(
                _("a rate is written 类别=金额, such as 援鄂医疗队员=5000; not %(t)s")
                % {"t": text[:40]}
            )
        if len(category) > 60:
            raise FundsInvalid(_("a category's name is at most 60 characters"))
        if category in rates:
            raise FundsInvalid(_("the category %(c)s is given twice") % {"c": category})
        try:
            rates[category] = parse_fen(amount)
        except InvalidAmount as e:
            raise FundsInvalid(f"{category}: {e}") from None
    if not rates:
        raise FundsInvalid(_("a policy needs at least one category with its amount"))
    return rates


def _check_policy_fields(*, code: str, name: str, kind: str, rates: dict[str, int]) -> None:
    if not code or not name.strip():
        raise FundsInvalid(_("a policy needs a code and a name"))
    if len(code) > 32 or not code.isprintable():
        raise FundsInvalid(_("a code is at most 32 letters, digits and dashes"))
    if kind not in PolicyKind.values:
        raise FundsInvalid(_("the kind must be one-off or periodic"))
    if not rates:
        raise FundsInvalid(_("a policy needs at least one category with its amount"))


@transaction.atomic
def check_save_policy(
    *,
    code: str,
    name: str,
    rates: dict[str, int],
    region: Region,
    basis: str = "",
    kind: str = PolicyKind.ONE_OFF,
    eligible: str = "",
    fund: Fund | None = None,
) -> tuple[Policy, bool]:
    """Create a policy or update it (name, basis, rates); (policy, created). Only a policy of
    ``region`` or below it is updated. A category that rosters already use keeps its amount:
    their rows were checked against it."""
    code = code.strip()
    _check_policy_fields(code=code, name=name, kind=kind, rates=rates)
    policy = Policy.objects.select_for_update().filter(code=code).first()
    created = policy is None
    if policy is not None and not policy.region_path.startswith(region.path):
        # codes are one namespace: a region never rewrites a policy above or beside it
        raise FundsInvalid(
            _("the code %(c)s belongs to a policy of another region; choose another code")
            % {"c": code}
        )
    if policy is None:
        policy = Policy(code=code, region=region, region_path=region.path)
    elif policy.kind != kind and policy.payees.exists():
        raise FundsInvalid(_("the policy has rosters already: its kind cannot change"))
    policy.name, policy.basis, policy.kind = name.strip()[:120], basis.strip()[:120], kind
    policy.eligible = eligible.strip() or policy.eligible
    policy.fund = fund or policy.fund
    policy.save()
    current = {r.category: r for r in policy.rates.all()}
    used = set(policy.payees.values_list("category", flat=True).distinct())
    for category, fen in rates.items():
        rate = current.get(category)
        if rate is not None and rate.amount_fen != fen and category in used:
            raise FundsInvalid(
                _("rosters already pay %(c)s at its amount: it cannot change") % {"c": category}
            )
        Rate.objects.update_or_create(
            policy=policy, category=category, defaults={"amount_fen": fen}
        )
    stale = set(current) - set(rates)
    if stale & used:
        raise FundsInvalid(
            _("rosters already use %(c)s: it cannot be taken off the policy")
            % {"c": "、".join(sorted(stale & used))}
        )
    Rate.objects.filter(policy=policy, category__in=stale).delete()
    return policy, created
