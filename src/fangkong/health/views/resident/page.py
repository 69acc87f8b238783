"""The residents' QR page: pick a door, prove the household, report for its members."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from fangkong.accounts.services import client_ip
from fangkong.common.masking import mask_name
from fangkong.common.qr import qr_svg
from fangkong.common.sorting import natural_key
from fangkong.people.codes import person_code
from fangkong.people.models import Person
from fangkong.regions.models import Household

from ...choices import Source, Symptom
from ...models import CheckIn
from ...resident_extras import resident_sections
from ...services import (
    CheckInData,
    link_from_token,
    record_check_ins,
)
from ...services.links import (
    ProofRefused,
    check_household_proof,
    door_from_token,
    household_token,
    member_key,
)

REPORTS_PER_HOUR = 30  # per link and address: a household reports a few times, not hundreds
_FLOOR = re.compile(r"^0*([0-9]+)[0-9]{2}$")  # 1001: floor 10, door 01
_READING = re.compile(r"^[tsc]-[0-9a-f]{16}$")


def _symptoms(request, prefix: str = "") -> list[str]:
    return [s for s in request.POST.getlist(f"{prefix}symptoms") if s]


def _client_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return uuid.uuid4()


def _households(building, unit: str | None = None):
    qs = Household.objects.filter(building=building).prefetch_related(
        Prefetch("members", queryset=Person.objects.order_by("id"))
    )
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.order_by("unit", "door")


def _rate_limited(link_id: int, request) -> bool:
    key = f"resident-reports:{link_id}:{client_ip(request)}"
    cache.add(key, 0, 3600)
    try:
        return cache.incr(key) > REPORTS_PER_HOUR
    except ValueError:
        cache.set(key, 1, 3600)
        return False


@never_cache
def resident_page(request, token):
    """The page behind a building's QR code: the resident picks unit, floor and door, proves
    they live there, then reports for members of that household only."""
    link = link_from_token(token)
    if link is None:
        return render(request, "health/resident_gone.html", status=410)
    if request.method == "POST":
        if request.POST.get("action") == "report":
            return _report(request, link)
        return _prove(request, link)
    if "door" in request.GET:
        household = _household_at(link, request.GET.get("unit", ""), request.GET["door"])
        if household is not None:
            return _proof_page(request, link, household)
    return _picker(request, link)


def _picker(request, link, error: str = "", status: int = 200):
    """One step of unit → floor → door, each a screen of large buttons in natural order."""
    doors = sorted(
        Household.objects.filter(building=link.building).values_list("unit", "door"),
        key=lambda ud: (natural_key(ud[0]), natural_key(ud[1])),
    )
    units = list(dict.fromkeys(u for u, _d in doors))
    unit = request.GET.get("unit")
    if unit is None and len(units) == 1:
        unit = units[0]
    context = {"building": link.building, "error": error, "unit": unit, "choices": []}
    if unit not in units:
        context.update(step="unit", unit=None)
        context["choices"] = [(_unit_label(u), _query(unit=u)) for u in units]
        return render(request, "health/resident.html", context, status=status)
    in_unit = [d for u, d in doors if u == unit]
    floors = sorted(dict.fromkeys(map(floor_of, in_unit)), key=natural_key)
    floor = request.GET.get("floor")
    if floor is None and len(floors) == 1:
        floor = floors[0]
    context.update(unit_label=_unit_label(unit), several_units=len(units) > 1)
    if floor not in floors:
        context.update(step="floor")
        context["choices"] = [(_floor_label(f), _query(unit=unit, floor=f)) for f in floors]
    else:
        context.update(step="door", floor_label=_floor_label(floor), several_floors=len(floors) > 1)
        context["choices"] = [
            (d, _query(unit=unit, door=d)) for d in in_unit if floor_of(d) == floor
        ]
    return render(request, "health/resident.html", context, status=status)


def floor_of(door: str) -> str:
    """The floor a door number names (1001 → 10, 203 → 2); "" when it names none."""
    m = _FLOOR.match(door)
    return str(int(m[1])) if m else ""


def _query(**params: str) -> str:
    return "?" + urlencode(params)


def _unit_label(unit: str) -> str:
    return _("unit %(u)s") % {"u": unit} if unit else _("The building")


def _floor_label(floor: str) -> str:
    return _("Floor %(f)s") % {"f": floor} if floor else _("Other doors")


def _door_label(household: Household) -> str:
    if household.unit:
        return f"{_unit_label(household.unit)} {household.door}"
    return household.door


def _household_at(link, unit: str, door: str) -> Household | None:
    return Household.objects.filter(building=link.building, unit=unit, door=door).first()


def _carried(request) -> list[tuple[str, str]]:
    """Readings typed on the household page, kept through a proof asked again."""
    return [(k, v[:40]) for k in request.POST if _READING.match(k) for v in request.POST.getlist(k)]


def _proof_page(request, link, household, error: str = "", status: int = 200):
    context = {
        "building": link.building,
        "door_label": _door_label(household),
        "unit": household.unit,
        "door": household.door,
        "back": _query(unit=household.unit, floor=floor_of(household.door)),
        "error": error,
        "carried": _carried(request) if request.method == "POST" else [],
    }
    return render(request, "health/resident_proof.html", context, status=status)


def _prove(request, link):
    household = _household_at(link, request.POST.get("unit", ""), request.POST.get("door", ""))
    if household is None:
        return _picker(request, link, _("That door is not in this building."), status=400)
    try:
        check_household_proof(
            household=household, proof=request.POST.get("proof", ""), request=request
        )
    except ProofRefused as refused:
        return _proof_page(request, link, household, refused.message, status=403)
    return _household_page(request, link, household, _members(link, household, request.POST))


def _report(request, link):
    proven = door_from_token(link, request.POST.get("h", ""))
    household = proven and _household_at(link, proven.unit, proven.door)
    if proven is None or household is None:
        return _picker(
            request, link, _("This page is out of date: choose your door again."), status=400
        )
    if proven.expired:
        return _proof_page(
            request,
            link,
            household,
            _("The page was open a long time: enter the digits again. What you typed is kept."),
        )
    members = _members(link, household, request.POST)
    if _rate_limited(link.pk, request):
        return _household_page(
            request,
            link,
            household,
            members,
            _("Too many reports from this phone; try again in an hour."),
        )
    typed = [m for m in members if m.temperature]
    if not typed:
        return _household_page(
            request, link, household, members, _("Type the temperature of at least one member.")
        )
    result = record_check_ins(
        items=[
            CheckInData(
                client_id=m.client_id,
                person_id=m.person_id,
                temperature=m.temperature,
                symptoms=m.symptoms,
                source=Source.SELF,
            )
            for m in typed
        ],
        persons={m.person_id: household.region_path for m in typed},
    )
    refused = dict(result.rejected)
    for i, m in enumerate(typed):
        if i in refused:
            m.errors = list(refused[i].values())
        else:  # stored, or stored before by this same form: start afresh
            m.temperature, m.symptoms, m.client_id = "", [], uuid.uuid4()
    done = len(typed) - len(refused)
    return _household_page(
        request, link, household, members, done=done, alerted=bool(result.alerts)
    )


@dataclass
class Member:
    """A household member as the public page shows them: never their id or full name."""

    person_id: int  # never rendered
    key: str
    label: str
    temperature: str = ""
    symptoms: list[str] = field(default_factory=list)
    client_id: uuid.UUID = field(default_factory=uuid.uuid4)
    errors: list[str] = field(default_factory=list)
    reported_at: dt.datetime | None = None
    sampling_qr: str = ""  # their signed person code as a QR (no id, no name)


def _members(link, household: Household, typed) -> list[Member]:
    """The household's members, with what was typed for them in ``typed`` (a POST)."""
    persons = list(
        Person.objects.filter(household=household)
        .order_by("id")
        .only("id", "name", "relation", "birth_on")
    )
    members = []
    for p, label in zip(persons, _labels(persons), strict=True):
        key = member_key(link, p.pk)
        members.append(
            Member(
                person_id=p.pk,
                key=key,
                label=label,
                temperature=typed.get(f"t-{key}", "").strip()[:10],
                symptoms=[s for s in typed.getlist(f"s-{key}") if s][:10],
                client_id=_client_id(typed.get(f"c-{key}", "")),
            )
        )
    return members


def _labels(persons: list[Person]) -> list[str]:
    """Masked name · relation to the head · age band (李* · 户主 · 40多岁); members who would
    still read alike are numbered, the eldest first."""
    labels = [
        " · ".join(x for x in (mask_name(p.name), p.relation, age_band(p.age)) if x)
        for p in persons
    ]
    alike = {lab for lab in labels if labels.count(lab) > 1}
    for lab in alike:
        same = [i for i, x in enumerate(labels) if x == lab]
        same.sort(key=lambda i: persons[i].birth_on or dt.date.max)
        for n, i in enumerate(same, 1):
            labels[i] = f"{lab} ({n})"
    return labels


def age_band(age: int | None) -> str:
    """An age told without the birth date: 不满1岁, 2岁 … 9岁, then 10多岁, 40多岁."""
    if age is None:
        return ""
    if age < 1:
        return _("under 1")
    if age < 10:
        return _("aged %(n)d") % {"n": age}
    return _("in their %(d)ds") % {"d": age // 10 * 10}


def _household_page(
    request, link, household, members, error: str = "", *, done: int = 0, alerted: bool = False
):
    today = timezone.localdate()
    for m in members:  # each member's 采样码 to show a sampler (people.codes)
        m.sampling_qr = qr_svg(person_code(m.person_id), scale=4)
    for person_id, at in CheckIn.objects.filter(
        person_id__in=[m.person_id for m in members], on=today
    ).values_list("person_id", "measured_at"):
        for m in members:
            if m.person_id == person_id and (m.reported_at is None or at > m.reported_at):
                m.reported_at = at
    h = household_token(link, household)
    context = {
        "building": link.building,
        "door_label": _door_label(household),
        "h": h,
        "extras": resident_sections(request, request.resolver_match.kwargs["token"], h, household),
        "members": members,
        "symptoms": Symptom.choices,
        "error": error,
        "done": done,
        "alerted": alerted,
    }
    return render(request, "health/resident_household.html", context)
