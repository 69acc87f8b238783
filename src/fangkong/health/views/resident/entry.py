"""A grid worker's quick entry of a building's temperatures, one floor at a time."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.scope import scope_of
from fangkong.common.sorting import natural_key
from fangkong.people.models import Person
from fangkong.regions.models import Household

from ... import selectors
from ...choices import Source, Symptom
from ...models import CheckIn
from ...services import (
    CheckInData,
    clean_temperature,
    record_check_ins,
)
from .page import _client_id, _floor_label, _households, _query, _symptoms, _unit_label, floor_of


@dataclass
class EntryRow:
    """One person on the quick-entry screen, with what was typed for them."""

    person: Person
    temperature: str = ""
    symptoms: list[str] = field(default_factory=list)
    client_id: uuid.UUID = field(default_factory=uuid.uuid4)
    errors: list[str] = field(default_factory=list)
    reported_at: dt.datetime | None = None
    reported_t: object = None  # the latest temperature today


@dataclass
class EntryPlace:
    """Where quick entry stands in a building: a unit, a floor of it, and the way on."""

    units: list[str]
    unit: str
    floors: list[str]
    floor: str
    doors: list[str]  # the floor's doors, in natural order
    next: tuple[str, str] | None  # (unit, floor) one tap away


def _entry_place(building, unit: str | None, floor: str | None) -> EntryPlace:
    doors = sorted(
        Household.objects.filter(building=building).values_list("unit", "door"),
        key=lambda ud: (natural_key(ud[0]), natural_key(ud[1])),
    )
    units = list(dict.fromkeys(u for u, _d in doors))
    unit = unit if unit in units else (units[0] if units else "")
    in_unit = [d for u, d in doors if u == unit]
    floors = sorted(dict.fromkeys(map(floor_of, in_unit)), key=natural_key)
    floor = floor if floor in floors else (floors[0] if floors else "")
    return EntryPlace(
        units=units,
        unit=unit,
        floors=floors,
        floor=floor,
        doors=[d for d in in_unit if floor_of(d) == floor],
        next=_next_floor(doors, units, unit, floors, floor),
    )


def _next_floor(doors, units, unit, floors, floor) -> tuple[str, str] | None:
    """The floor above, or the first floor of the next unit after the top one."""
    if floor in floors and floors.index(floor) + 1 < len(floors):
        return unit, floors[floors.index(floor) + 1]
    later = units[units.index(unit) + 1 :] if unit in units else []
    if not later:
        return None
    first = min((floor_of(d) for u, d in doors if u == later[0]), key=natural_key)
    return later[0], first


def _entry_rows(building, place: EntryPlace) -> list[tuple[Household, list[EntryRow]]]:
    """The floor's households and their members, each marked when they reported today."""
    households = sorted(
        _households(building, place.unit).filter(door__in=place.doors),
        key=lambda h: natural_key(h.door),
    )
    rows = [(h, [EntryRow(person=p) for p in h.members.all()]) for h in households]
    by_person = {r.person.pk: r for _h, members in rows for r in members}
    for person_id, at, t in CheckIn.objects.filter(
        person_id__in=by_person, on=timezone.localdate()
    ).values_list("person_id", "measured_at", "temperature"):
        row = by_person[person_id]
        if row.reported_at is None or at > row.reported_at:
            row.reported_at, row.reported_t = at, t
    return rows


def _save_entry(request, rows) -> tuple[str, bool]:
    """Store what was typed; readings stored are cleared (their row shows them as reported),
    wrong ones keep what was typed with the reason. The message, and whether all went in."""
    typed = []
    for _h, members in rows:
        for r in members:
            r.temperature = request.POST.get(f"t{r.person.pk}", "").strip()[:10]
            r.symptoms = _symptoms(request, f"s{r.person.pk}-")[:10]
            r.client_id = _client_id(request.POST.get(f"c{r.person.pk}", ""))
            if r.temperature:
                typed.append(r)
    if not typed:
        return _("Type at least one temperature."), False
    result = record_check_ins(
        items=[
            CheckInData(
                client_id=r.client_id,
                person_id=r.person.pk,
                temperature=r.temperature,
                symptoms=r.symptoms,
                source=Source.GRID_WORKER,
            )
            for r in typed
        ],
        persons={r.person.pk: r.person.region_path for r in typed},
        recorded_by=request.user,
    )
    refused = dict(result.rejected)
    for i, r in enumerate(typed):
        if i in refused:
            r.errors = list(refused[i].values())
        else:  # stored, or stored before by this same form: its row now shows it
            r.reported_at, r.reported_t = timezone.now(), clean_temperature(r.temperature)
            r.temperature, r.symptoms, r.client_id = "", [], uuid.uuid4()
    counts = {"n": len(typed) - len(refused), "a": len(result.alerts), "r": len(refused)}
    if refused:
        return _(
            "%(n)d saved, %(a)d alerts opened; %(r)d not saved: see the marked rows."
        ) % counts, False
    return _("%(n)d saved, %(a)d alerts opened.") % counts, True


@login_required
def quick_entry(request, pk):
    """One floor of a unit on one phone screen: each member's temperature, sent at once, with
    who has reported today marked; after a good save the next floor is one tap away."""
    scope = scope_of(request.user)
    building = selectors.building_or_404(scope, pk)
    place = _entry_place(building, request.GET.get("unit"), request.GET.get("floor"))
    here = _query(unit=place.unit, floor=place.floor)
    rows = _entry_rows(building, place)
    message, saved = "", False
    if request.method == "POST":
        message, saved = _save_entry(request, rows)
        if saved:
            messages.success(request, message)
            return redirect(request.path + here)
    return render(
        request,
        "health/quick_entry.html",
        {
            "building": building,
            "place": place,
            "unit_links": [(u, _unit_label(u), _query(unit=u)) for u in place.units],
            "floor_links": [
                (f, _floor_label(f), _query(unit=place.unit, floor=f)) for f in place.floors
            ],
            "place_label": _door_place_label(place.unit, place.floor),
            "next_link": place.next
            and (
                _door_place_label(*place.next),
                _query(unit=place.next[0], floor=place.next[1]),
            ),
            "rows": rows,
            "message": message,
            "symptoms": Symptom.choices,
        },
        status=200 if request.method == "GET" or saved else 400,
    )


def _door_place_label(unit: str, floor: str) -> str:
    return f"{_unit_label(unit)} {_floor_label(floor)}" if unit else _floor_label(floor)
