"""A region's health rules: its own settings, else its nearest ancestor's, else the defaults."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from decimal import Decimal

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .choices import ObservationKind
from .models import HealthRule

CACHE_SECONDS = 60


@dataclass(frozen=True)
class Rules:
    fever_threshold: Decimal = Decimal("37.3")
    alert_minutes: int = 120  # the grid worker's deadline; each escalation gets as long again
    universal_reporting: bool = False  # every resident reports daily, not only those watched
    close_contact_kind: str = ObservationKind.CENTRAL_QUARANTINE
    close_contact_days: int = 7  # counted from the last exposure
    close_contact_home_days: int = 7  # then at home ("7 + 7"); 0 for none
    secondary_contact_kind: str = ObservationKind.HOME_OBSERVATION
    secondary_contact_days: int = 7
    observation_days: int = 14  # a period started by hand


DEFAULTS = Rules()
_NAMES = [f.name for f in fields(Rules)]


# path -> (expires, rules): kept in the process, since a batch of 1,000 check-ins asks once per
# record and a shared cache would cost a network round trip each time. A changed rule reaches
# every process within CACHE_SECONDS.
_memo: dict[str, tuple[float, Rules]] = {}


def rules_for(path: str) -> Rules:
    """The rules in force at a region path (remembered for a minute: they change rarely)."""
    now = time.monotonic()
    hit = _memo.get(path)
    if hit is not None and hit[0] > now:
        return hit[1]
    codes = [c for c in path.split("/") if c]
    rows = sorted(
        HealthRule.objects.filter(region__code__in=codes).select_related("region"),
        key=lambda r: r.region.depth,
    )
    found = DEFAULTS
    for row in rows:  # deeper regions override
        found = replace(
            found,
            **{name: getattr(row, name) for name in _NAMES if getattr(row, name) not in (None, "")},
        )
    _memo[path] = (now + CACHE_SECONDS, found)
    return found


def set_where(path: str, name: str) -> tuple[object, HealthRule | None]:
    """The value of rule ``name`` in force at ``path`` and the region's rule that sets it
    (the deepest on the path), or ``None`` where the default applies. Read afresh, for pages
    that say which rule they follow."""
    codes = [c for c in path.split("/") if c]
    rows = HealthRule.objects.filter(region__code__in=codes).select_related("region")
    setting = [r for r in rows if getattr(r, name) not in (None, "")]
    if not setting:
        return getattr(DEFAULTS, name), None
    deepest = max(setting, key=lambda r: r.region.depth)
    return getattr(deepest, name), deepest


def universal_rules() -> dict[str, bool]:
    """The regions whose rule sets ``universal_reporting``: region path -> its setting. One
    query, read afresh (not remembered), so that a page counts by the rule its staff just set
    in any process; rules are few."""
    return dict(
        HealthRule.objects.filter(universal_reporting__isnull=False).values_list(
            "region__path", "universal_reporting"
        )
    )


def universal_at(rules: dict[str, bool], path: str) -> bool:
    """Whether every resident must report at ``path``, under ``rules`` (``universal_rules``):
    the deepest region on the path that sets it, else the default."""
    codes = [c for c in path.split("/") if c]
    for depth in range(len(codes), 0, -1):
        flag = rules.get("/".join(codes[:depth]) + "/")
        if flag is not None:
            return flag
    return DEFAULTS.universal_reporting


def universal_under(rules: dict[str, bool], path: str) -> bool:
    """Whether every resident must report anywhere at or below ``path``."""
    return universal_at(rules, path) or any(v for p, v in rules.items() if p.startswith(path))


def everyone_reports(paths: Iterable[str]) -> dict[str, bool]:
    """For each region path, whether every resident must report there (one query)."""
    rules = universal_rules()
    return {path: universal_at(rules, path) for path in set(paths)}


def forget_rules() -> None:
    """Drop the remembered rules (after a rule changes, and between tests)."""
    _memo.clear()


# A rule saved or deleted in this process is seen here at once (the day's figures read the
# rules afresh on every look: ``universal_rules``). Connected here, not in the model's save(),
# so that the model does not import this module back; a process that never imported this
# module has remembered nothing to forget.
@receiver(post_save, sender=HealthRule, dispatch_uid="health-rules-forget-saved")
@receiver(post_delete, sender=HealthRule, dispatch_uid="health-rules-forget-deleted")
def _forget_on_change(**kwargs) -> None:
    forget_rules()
