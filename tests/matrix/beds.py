"""Rows for beds: 芙蓉区's designated hospital FR01 (``hospital`` its operator) and 天心区's
TX01; 张伟 of grid A, a confirmed case, is in today's confirmed plan to FR01. Headquarters,
district and street staff read the facilities, patients and plans of their region (a facility of
the district is outside a street); headquarters plans; headquarters and the district report
progress and triage; the operator reaches only FR01 and the patients sent to it; nobody else
reaches beds (docs/scope.md, "Beds")."""

from __future__ import annotations

from django.urls import reverse

from .common import E, Endpoint

VIEWERS = {"hq", "district", "street"}
PROGRESS = {"hq", "district"}


def viewers(persona: str):
    return 200 if persona in VIEWERS else 403


def facility_readers(persona: str):
    if persona in {"hq", "district", "hospital"}:
        return 200
    return 404 if persona == "street" else 403


def facility_list(persona: str):
    if persona in {"hq", "district"}:
        return "shown"
    if persona == "street":
        return "hidden"
    return 302 if persona == "hospital" else 403  # the operator: straight to their facility


def patient_readers(persona: str):
    return 200 if persona in VIEWERS | {"hospital"} else 403


def api_facilities(persona: str):
    return 200 if persona in VIEWERS | {"hospital"} else 403


def operator(ok: int):
    return lambda persona: ok if persona == "hospital" else 403


def only(who: set[str], ok: int = 302):
    return lambda persona: ok if persona in who else 403


def _plan(tree):
    from fangkong.accounts.models import User
    from fangkong.accounts.scope import scope_of
    from fangkong.beds.services import (
        assign_operator,
        check_confirm_plan,
        check_propose_plan,
        save_facility,
        save_pickup_point,
    )
    from fangkong.health.services import check_report_case

    hq = User.objects.get(username="hq")
    fr01 = save_facility(
        code="FR01",
        name="芙蓉区定点医院",
        kind="designated",
        region=tree.district,
        lat=28.2,
        lon=112.98,
        capacity={"icu": 2, "ward": 5},
    )
    save_facility(
        code="TX01",
        name="天心区定点医院",
        kind="designated",
        region=tree.grid_c.parent.parent.parent,
        lat=28.1,
        lon=112.98,
        capacity={"ward": 5},
    )
    assign_operator(facility=fr01, user=User.objects.get(username="hospital"))
    save_pickup_point(region=tree.city, name="长沙市", lat=28.2, lon=112.97)
    from fangkong.health.models import Case

    if not Case.objects.filter(person=tree.person_a, closed_on__isnull=True).exists():
        check_report_case(
            user=hq, scope=scope_of(hq), person=tree.person_a, classification="confirmed"
        )
    plan = check_propose_plan(scope=scope_of(hq), user=hq, region=tree.city)
    check_confirm_plan(scope=scope_of(hq), user=hq, plan=plan)


def _patient(t):
    from fangkong.beds.models import Patient

    return Patient.objects.get(person=t.person_a).pk


def _plan_id(t):
    from fangkong.beds.models import Plan

    return Plan.objects.get().pk


def _line(t):
    from fangkong.beds.models import Line

    return Line.objects.get(patient__person=t.person_a).pk


def _r(name, *args):
    return lambda t: reverse(name, args=[a(t) if callable(a) else a for a in args])


ROWS: dict[str, Endpoint] = {
    "beds:home": E(_r("beds:home"), facility_list, shown=lambda t: "芙蓉区定点医院", setup=_plan),
    "beds:facility": E(_r("beds:facility", "FR01"), facility_readers, setup=_plan),
    "beds:facility?other": E(
        _r("beds:facility", "TX01"),
        lambda p: 200 if p == "hq" else 404 if p in {"district", "street", "hospital"} else 403,
        setup=_plan,
    ),
    "beds:report": E(
        _r("beds:report", "FR01"),
        operator(302),
        method="post",
        form=True,
        body=lambda t: {"ward-occupied": "1", "ward-blocked": "0"},
        setup=_plan,
    ),
    "beds:patient": E(_r("beds:patient", _patient), patient_readers, setup=_plan),
    "beds:admit": E(_r("beds:admit", _patient), operator(302), method="post", setup=_plan),
    "beds:discharge": E(
        _r("beds:discharge", _patient),
        operator(302),
        method="post",
        form=True,
        body=lambda t: {"outcome": "recovered"},
        setup=_plan,
    ),
    "beds:triage": E(
        _r("beds:triage", _patient),
        only(PROGRESS),
        method="post",
        form=True,
        body=lambda t: {"severity": "severe"},
        setup=_plan,
    ),
    "beds:waiting": E(_r("beds:waiting"), viewers, setup=_plan),
    "beds:plans": E(_r("beds:plans"), viewers, setup=_plan),
    "beds:propose": E(_r("beds:propose"), only({"hq"}), method="post", setup=_plan),
    "beds:plan": E(_r("beds:plan", _plan_id), viewers, setup=_plan),
    "beds:confirm": E(_r("beds:confirm", _plan_id), only({"hq"}), method="post", setup=_plan),
    "beds:tasks": E(_r("beds:tasks", _plan_id), viewers, setup=_plan),
    "beds:progress": E(
        _r("beds:progress", _line),
        only(PROGRESS),
        method="post",
        form=True,
        body=lambda t: {"status": "picked_up"},
        setup=_plan,
    ),
    "api:list_facilities": E(_r("api:list_facilities"), api_facilities, setup=_plan),
    "api:report_beds": E(
        _r("api:report_beds", "FR01"),
        operator(200),
        method="post",
        body=lambda t: {"beds": [{"bed_type": "ward", "occupied": 2, "blocked": 1}]},
        setup=_plan,
    ),
    "api:list_waiting": E(_r("api:list_waiting"), viewers, setup=_plan),
    "api:admit_patient": E(
        _r("api:admit_patient", _patient), operator(200), method="post", setup=_plan
    ),
    "api:plan_progress": E(_r("api:plan_progress", _plan_id), viewers, setup=_plan),
}
