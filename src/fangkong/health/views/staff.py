"""Staff pages: the day's figures per region, the alert queue, who is missing today, a
person's periods under watch with their day-by-day follow-up."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.scope import Cap, scope_of
from fangkong.accounts.services import record_audit, record_person_view
from fangkong.common.paging import page_of
from fangkong.common.params import date_or, day_or, int_or
from fangkong.regions.choices import Level
from fangkong.regions.selectors import breadcrumbs, region_or_404, region_or_home

from .. import selectors
from ..choices import ObservationKind, Outcome, Source, Symptom
from ..models import CheckIn
from ..services import (
    CheckInData,
    CheckInInvalid,
    check_close_alert,
    check_end_observation,
    check_extend_observation,
    check_start_observation,
    clean_temperature,
    follow_up,
    record_check_ins,
)
from ..services.days import EARLIEST


def _region(request, scope):
    code = request.GET.get("region") or request.POST.get("region") or ""
    return region_or_home(scope, code, request.user.scope_region)


def _day(request) -> dt.date:
    """The day asked for, inside the window health dates live in (2000-01-01 to today)."""
    today = timezone.localdate()
    return max(EARLIEST, min(day_or(request.GET.get("day"), today), today))


@login_required
def staff_page(request):
    """Per region and day: coverage, alerts, people under watch, cases and contacts, checkpoint
    passages; each figure opens the regions below and the people behind it."""
    scope = scope_of(request.user)
    scope.require(Cap.HEALTH_VIEW)
    region = _region(request, scope)
    day = _day(request)
    view = selectors.staff_view(scope, region, day)
    return render(
        request,
        "health/staff.html",
        {
            "view": view,
            "region": region,
            "crumbs": breadcrumbs(scope, region),
            "kinds": ObservationKind.choices,
            "today": timezone.localdate(),
            "previous": day - dt.timedelta(days=1),
            "can_set_rules": scope.can(Cap.HEALTH_RULES),
        },
    )


NOT_REPORTED_PAGE = 100


@login_required
def people_page(request):
    """The people behind a figure: under watch (by kind), checked in, or due and not reported
    (any region of the viewer's area, any day; masked, a page at a time)."""
    scope = scope_of(request.user)
    scope.require(Cap.HEALTH_VIEW)
    region = _region(request, scope)
    day = _day(request)
    what = request.GET.get("what", "watched")
    context = {"region": region, "day": day, "what": what, "crumbs": breadcrumbs(scope, region)}
    if what == "checked_in":
        context["check_ins"] = selectors.checked_in_list(scope, region, day)
    elif what == "not_reported":
        context["page"] = page_of(
            selectors.not_reported(scope, region, day),
            int_or(request.GET.get("page"), 1),
            NOT_REPORTED_PAGE,
        )
    else:
        kind = request.GET.get("kind", "")
        context["observations"] = selectors.watched_list(scope, region, day, kind)
        context["kind"] = dict(ObservationKind.choices).get(kind, "")
    return render(request, "health/people.html", context)


@login_required
def alerts_page(request):
    scope = scope_of(request.user)
    scope.require(Cap.HEALTH_VIEW)
    region = _region(request, scope)
    return render(
        request,
        "health/alerts.html",
        {
            "region": region,
            "crumbs": breadcrumbs(scope, region),
            "alerts": selectors.open_alerts(scope, region),
            "outcomes": Outcome.choices,
            "now": timezone.now(),
            "can_close": scope.can(Cap.HEALTH_RECORD),
            "errors": request.session.pop("health_errors", None),
        },
    )


@login_required
@require_POST
def alert_close(request, pk):
    scope = scope_of(request.user)
    alert = selectors.alert_or_404(scope, pk)
    try:
        check_close_alert(
            user=request.user,
            scope=scope,
            alert=alert,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        )
    except CheckInInvalid as e:
        request.session["health_errors"] = e.errors
    return redirect(reverse("health:alerts") + f"?region={request.POST.get('region', '')}")


def _rule_link(scope, grid, missing):
    """Where the user may change the rule the grid follows: the grid's own rule if it has one,
    else its community's; None if that is not theirs to change."""
    if not scope.can(Cap.HEALTH_RULES):
        return None
    target = grid if missing.rule_region == grid else grid.parent
    if target is None or not scope.contains(target.path):
        return None
    return reverse("health:rules") + f"?region={target.code}&back={grid.code}"


@login_required
def missing_page(request, code):
    """A grid's call list: who has not checked in today, with a tap-to-call number, and the
    rule that says who must report."""
    scope = scope_of(request.user)
    scope.require(Cap.HEALTH_VIEW)
    grid = region_or_404(scope, code)
    if grid.level != Level.GRID:
        raise Http404
    missing = selectors.missing_list(scope, grid)
    people = missing.people
    unmasked = scope.can(Cap.UNMASK)
    if unmasked and people:
        # the numbers are shown to be called: on record, like any unmasked view
        record_audit(
            user=request.user,
            action=AuditAction.VIEW_UNMASKED,
            object_type="missing_list",
            object_id=grid.code,
            region_path=grid.path,
            request=request,
            detail={"persons": len(people)},
        )
    return render(
        request,
        "health/missing.html",
        {
            "grid": grid,
            "crumbs": breadcrumbs(scope, grid),
            "people": people,
            "missing": missing,
            "rule_link": _rule_link(scope, grid, missing),
            "unmasked": unmasked,
            "today": timezone.localdate(),
        },
    )


CALL_LIST = "call-list"  # ?from=call-list: the person was opened from today's call list


@login_required
def person_health(request, pk):
    """A person's cases, periods under watch (day by day), recent check-ins, alerts and
    contacts; those who record check-ins enter a reading given on the phone (POST)."""
    scope = scope_of(request.user)
    person = selectors.person_or_404(scope, pk)
    if request.method == "POST":
        scope.require(Cap.HEALTH_RECORD)
        return _phone_reading(request, scope, person)
    record_person_view(request=request, person_id=person.pk, region_path=person.region_path)
    return _person_page(request, scope, person)


def _person_page(request, scope, person, reading=None, status: int = 200):
    periods = [
        (o, follow_up(o))
        for o in person.observations.prefetch_related("extensions").order_by("-start_on")
    ]
    cases = selectors.cases_of(scope, person)
    symptom_names = dict(Symptom.choices)
    return render(
        request,
        "health/person.html",
        {
            "person": person,
            "periods": periods,
            "cases": cases,
            "open_case": next((c for c, _open in cases if c.closed_on is None), None),
            "check_ins": [
                (c, [symptom_names.get(s, s) for s in c.symptoms])
                for c in CheckIn.objects.filter(person=person).order_by("-measured_at")[:14]
            ],
            "alerts": person.alerts.order_by("-opened_at")[:10],
            "contacts": selectors.contact_of(scope, person),
            "kinds": ObservationKind.choices,
            "symptoms": Symptom.choices,
            "can_record": scope.can(Cap.HEALTH_RECORD),
            "reading": reading or PhoneReading(back=request.GET.get("from", "")),
            "errors": request.session.pop("health_errors", None),
        },
        status=status,
    )


@dataclass
class PhoneReading:
    """The phone-reading form as typed: kept when something in it is wrong."""

    temperature: str = ""
    symptoms: list[str] = field(default_factory=list)
    client_id: uuid.UUID = field(default_factory=uuid.uuid4)
    back: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def _phone_reading(request, scope, person):
    """Record the temperature the person gave on the phone; from the call list, back to it
    at the next person still to call."""
    reading = PhoneReading(
        temperature=request.POST.get("temperature", "").strip()[:10],
        symptoms=[s for s in request.POST.getlist("symptoms") if s][:10],
        client_id=_uuid_or_new(request.POST.get("client_id", "")),
        back=request.POST.get("back", ""),
    )
    if not reading.temperature:
        reading.errors = {"temperature": _("type the temperature the person gave")}
        return _person_page(request, scope, person, reading, status=400)
    to_call = _call_list(scope, person) if reading.back == CALL_LIST else None
    result = record_check_ins(
        items=[
            CheckInData(
                client_id=reading.client_id,
                person_id=person.pk,
                temperature=reading.temperature,
                symptoms=reading.symptoms,
                source=Source.PHONE,
            )
        ],
        persons={person.pk: person.region_path},
        recorded_by=request.user,
    )
    if result.rejected:
        reading.errors = result.rejected[0][1]
        return _person_page(request, scope, person, reading, status=400)
    messages.success(
        request,
        _("%(name)s: %(t)s °C recorded.")
        % {"name": person.name, "t": clean_temperature(reading.temperature)},
    )
    if result.alerts:
        messages.warning(request, _("A fever alert is open for the grid."))
    if to_call is None:
        return redirect("health:person", pk=person.pk)
    grid, after = to_call
    url = reverse("health:missing", args=[grid.code])
    return redirect(f"{url}#p{after.pk}" if after else url)


def _call_list(scope, person):
    """The person's grid and who comes after them on today's call list (None: nobody)."""
    grid = person.grid
    if grid.level != Level.GRID or not scope.contains(grid.path):
        return None
    people = selectors.missing_today(scope, grid)
    ids = [p.pk for p in people]
    at = ids.index(person.pk) + 1 if person.pk in ids else 0
    rest = [p for p in people[at:] + people[:at] if p.pk != person.pk]
    return grid, (rest[0] if rest else None)


def _uuid_or_new(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return uuid.uuid4()


@login_required
@require_POST
def observe(request, pk):
    """Put the person under watch (any person, for any reason)."""
    scope = scope_of(request.user)
    person = selectors.person_or_404(scope, pk)
    try:
        check_start_observation(
            user=request.user,
            scope=scope,
            person=person,
            kind=request.POST.get("kind", ""),
            reason=request.POST.get("reason", ""),
            start_on=date_or(request.POST.get("start_on")),
            days=int_or(request.POST.get("days"), None),
            hotel=request.POST.get("hotel", ""),
            room=request.POST.get("room", ""),
        )
    except CheckInInvalid as e:
        request.session["health_errors"] = e.errors
    return redirect("health:person", pk=pk)


@login_required
@require_POST
def observation_change(request, pk):
    """Extend a period (``days`` and a reason) or end it early (``end`` and a reason)."""
    scope = scope_of(request.user)
    observation = selectors.observation_or_404(scope, pk)
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("action") == "end":
            check_end_observation(
                user=request.user, scope=scope, observation=observation, reason=reason
            )
        else:
            check_extend_observation(
                user=request.user,
                scope=scope,
                observation=observation,
                days=int_or(request.POST.get("days"), 0),
                reason=reason,
            )
    except CheckInInvalid as e:
        request.session["health_errors"] = e.errors
    return redirect("health:person", pk=observation.person_id)
