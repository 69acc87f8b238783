"""A region's health rules set by its own staff (who must report daily)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.accounts.services import record_audit
from fangkong.regions.models import Region

from ..models import HealthRule
from ..rules import forget_rules
from .checkins import CheckInInvalid

# What the page offers for "who must report": the parent's rule, or one of the two.
INHERIT, WATCHED, EVERYONE = "inherit", "watched", "everyone"
_UNIVERSAL = {INHERIT: None, WATCHED: False, EVERYONE: True}


def check_set_region_rule(
    *,
    user: User,
    scope: Scope,
    region: Region,
    who_reports: str,
    request: HttpRequest | None = None,
) -> HealthRule | None:
    """Staff of a region (community and above) set who must report daily there: people under
    watch only, every resident, or as the region above says (``inherit``)."""
    scope.require(Cap.HEALTH_RULES)
    if not scope.contains(region.path):
        raise CheckInInvalid({"region": _("this region is outside your area")})
    if who_reports not in _UNIVERSAL:
        raise CheckInInvalid({"who_reports": _("choose who must report")})
    return do_set_region_rule(
        user=user, region=region, universal_reporting=_UNIVERSAL[who_reports], request=request
    )


@transaction.atomic
def do_set_region_rule(
    *,
    user: User,
    region: Region,
    universal_reporting: bool | None,
    request: HttpRequest | None = None,
) -> HealthRule | None:
    """Store the region's reporting rule (``None``: follow the region above), audited; the
    figures and lists under the region follow it at once in this process."""
    rule = HealthRule.objects.select_for_update().filter(region=region).first()
    before = rule.universal_reporting if rule else None
    if before == universal_reporting:
        return rule  # nothing changes, nothing to record
    if rule is None:
        rule = HealthRule(region=region)
    rule.universal_reporting = universal_reporting
    rule.save()
    record_audit(
        user=user,
        action=AuditAction.RULE_CHANGED,
        object_type="health_rule",
        object_id=region.code,
        region_path=region.path,
        request=request,
        detail={"universal_reporting": [before, universal_reporting]},
    )
    # the save already forgot (rules.py); again on commit, lest a read in between remembers
    # the old rule
    transaction.on_commit(forget_rules)
    return rule
