from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .scope import Cap, Scope, scope_of


@dataclass(frozen=True)
class MenuItem:
    """A header link: shown to roles with ``cap`` (and without ``unless``)."""

    url_name: str
    label: str | Promise
    cap: Cap
    unless: Cap | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)


# The header menu. A link a role cannot open is never shown: each one names the capability its
# page requires (the views check again).
MENU = (
    MenuItem("people:search", _("Search"), Cap.VIEW_PEOPLE),
    MenuItem("health:staff", _("Health"), Cap.HEALTH_VIEW),
    MenuItem("health:checkpoints", _("Checkpoints"), Cap.CHECKPOINT, unless=Cap.HEALTH_VIEW),
    MenuItem("screening:campaigns", _("Testing"), Cap.SCREENING_VIEW),
    MenuItem("screening:campaigns", _("Sampling"), Cap.SAMPLING, unless=Cap.SCREENING_VIEW),
    MenuItem("supplies:home", _("Supplies"), Cap.STOCK_VIEW),
    MenuItem("supplies:home", _("My stock"), Cap.STOCK_KEEP, unless=Cap.STOCK_VIEW),
    MenuItem("supplies:requisitions", _("Requisitions"), Cap.REQUISITION),
    MenuItem("screening:tasks", _("My tasks"), Cap.SAMPLING),
    MenuItem("screening:lab", _("Lab"), Cap.LAB_RESULTS),
    MenuItem("assistance:home", _("Help requests"), Cap.HELP_VIEW),
    MenuItem("assistance:tasks", _("My help tasks"), Cap.HELP_TASKS),
    MenuItem("beds:home", _("Beds"), Cap.BEDS_VIEW),
    MenuItem("beds:home", _("My beds"), Cap.BEDS_KEEP, unless=Cap.BEDS_VIEW),
    MenuItem("reports:dashboard", _("Dashboard"), Cap.REPORTS_VIEW),
    MenuItem("reports:daily", _("Daily report"), Cap.REPORTS_VIEW),
    MenuItem("accounts:audit", _("Audit log"), Cap.VIEW_AUDIT),
    MenuItem("volunteers:home", _("Volunteers"), Cap.VOLUNTEERS_VIEW),
    MenuItem("volunteers:me", _("My shifts"), Cap.DUTY),
    MenuItem("funds:home", _("Funds"), Cap.FUNDS_VIEW),
    MenuItem("funds:home", _("Allowances"), Cap.ALLOWANCE_SUBMIT, unless=Cap.FUNDS_VIEW),
    MenuItem("funds:labour", _("Work and jobs"), Cap.LABOUR_VIEW),
)


def menu_for(scope: Scope) -> list[MenuItem]:
    return [m for m in MENU if scope.can(m.cap) and not (m.unless and scope.can(m.unless))]


def capabilities(request):
    """``caps``: what the user's role may do; ``menu``: the header links it may follow."""
    scope = scope_of(getattr(request, "user", None))
    return {"caps": scope.caps, "menu": menu_for(scope)}
