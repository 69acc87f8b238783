"""Rows for health monitoring: pages and API."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from .common import (
    RECORDERS,
    E,
    Endpoint,
    case_staff,
    checkpoint_staff,
    health_view,
    health_view_list,
    recorders,
    viewers_then_recorders,
)

ROWS: dict[str, Endpoint] = {}


def _watch_zhang_wei(tree):
    from ..conftest import start_watch

    today = dt.date.today()
    start_watch(tree.person_a, start=today, end=today + dt.timedelta(days=13))


def _zhang_wei_fever(tree):
    import uuid

    from fangkong.health.services import CheckInData, record_check_ins

    record_check_ins(
        items=[CheckInData(uuid.uuid4(), tree.person_a.pk, "38.6")],
        persons={tree.person_a.pk: tree.person_a.region_path},
    )


def _alert_id(tree):
    from fangkong.health.models import Alert

    return Alert.objects.get(person=tree.person_a).pk


def _observation_id(tree):
    from fangkong.health.models import Observation

    return Observation.objects.get(person=tree.person_a).pk


def _case_of_child(tree):
    from fangkong.health.models import Case

    Case.objects.create(
        person=tree.child_a,
        region_path=tree.child_a.region_path,
        classification="confirmed",
        report_on=dt.date.today(),
    )


def _case_id(tree):
    from fangkong.health.models import Case

    return Case.objects.get(person=tree.child_a).pk


def _li_na_contact_of_child(tree):
    """Grid A's case with a contact in grid B (李娜), as a street officer would add her."""
    from fangkong.health.models import Contact

    _case_of_child(tree)
    Contact.objects.create(
        case_id=_case_id(tree),
        person=tree.person_b,
        region_path=tree.person_b.region_path,
        kind="close",
        last_exposure_on=dt.date.today(),
    )


def _zhang_wei_contact_of_li_na(tree):
    """Grid A's 张伟 a contact of grid B's case (李娜)."""
    from fangkong.health.models import Case, Contact

    case = Case.objects.create(
        person=tree.person_b,
        region_path=tree.person_b.region_path,
        classification="confirmed",
        report_on=dt.date.today(),
    )
    Contact.objects.create(
        case=case,
        person=tree.person_a,
        region_path=tree.person_a.region_path,
        kind="close",
        last_exposure_on=dt.date.today(),
    )


def case_staff_page(persona: str):
    return case_staff(persona, ok=200)


def linked_in_grid_b(persona: str):
    """A page in grid A naming a person linked from grid B: by name only to those whose scope
    holds grid B too; grid A's own staff see "in another area"."""
    if persona in {"hq", "district", "street"}:
        return "shown"
    return "hidden" if persona in {"community", "grid_a"} else health_view(persona)


def _li_na(tree):
    return "李娜"


def _checkpoint(tree):
    from fangkong.health.models import Checkpoint

    Checkpoint.objects.create(region=tree.grid_a, region_path=tree.grid_a.path, name="东门")


def _checkpoint_id(tree):
    from fangkong.health.models import Checkpoint

    return Checkpoint.objects.get(name="东门").pk


def _check_ins(tree):
    import uuid

    return {
        "records": [
            {"client_id": str(uuid.uuid4()), "person_id": tree.person_a.pk, "temperature": "36.6"}
        ]
    }


def _grid(t):
    return f"?region={t.grid_a.code}"


ROWS["health:staff"] = E(lambda t: reverse("health:staff") + _grid(t), health_view)
ROWS["health:people"] = E(
    lambda t: reverse("health:people") + _grid(t), health_view, setup=_watch_zhang_wei
)
ROWS["health:people?not_reported"] = E(
    lambda t: reverse("health:people") + _grid(t) + "&what=not_reported",
    health_view_list,
    shown=lambda t: "张伟",  # under watch today, not yet reported
    setup=_watch_zhang_wei,
)
ROWS["health:alerts"] = E(
    lambda t: reverse("health:alerts") + _grid(t), health_view, setup=_zhang_wei_fever
)
ROWS["health:alert_close"] = E(
    lambda t: reverse("health:alert_close", args=[_alert_id(t)]),
    viewers_then_recorders,
    method="post",
    setup=_zhang_wei_fever,
    body=lambda t: {"outcome": "normal"},
    form=True,
)
ROWS["health:missing"] = E(
    lambda t: reverse("health:missing", args=[t.grid_a.code]), health_view, setup=_watch_zhang_wei
)
ROWS["health:person"] = E(lambda t: reverse("health:person", args=[t.person_a.pk]), health_view)
ROWS["health:observe"] = E(
    lambda t: reverse("health:observe", args=[t.person_a.pk]),
    viewers_then_recorders,
    method="post",
    body=lambda t: {"kind": "home_observation", "reason": "返乡"},
    form=True,
)
ROWS["health:observation"] = E(
    lambda t: reverse("health:observation", args=[_observation_id(t)]),
    viewers_then_recorders,
    method="post",
    setup=_watch_zhang_wei,
    body=lambda t: {"action": "extend", "days": "2", "reason": "复查"},
    form=True,
)
ROWS["health:building_qr"] = E(
    lambda t: reverse("health:building_qr", args=[t.building_a.pk]), recorders
)
ROWS["health:quick_entry"] = E(
    lambda t: reverse("health:quick_entry", args=[t.building_a.pk]), recorders
)
ROWS["health:cases"] = E(lambda t: reverse("health:cases") + _grid(t), health_view)
ROWS["health:case_new"] = E(
    lambda t: reverse("health:case_new"),
    case_staff,
    method="post",
    body=lambda t: {"person": t.person_a.pk, "classification": "suspected"},
    form=True,
)
ROWS["health:case"] = E(
    lambda t: reverse("health:case", args=[_case_id(t)]), health_view, setup=_case_of_child
)
ROWS["health:contact_new"] = E(
    lambda t: reverse("health:contact_new", args=[_case_id(t)]),
    case_staff,
    method="post",
    setup=_case_of_child,
    body=lambda t: {
        "person": t.person_a.pk,
        "kind": "close",
        "last_exposure_on": dt.date.today().isoformat(),
    },
    form=True,
)
# Linked across scopes: the object at the URL is in grid A, the person linked to it in grid B.
ROWS["health:case?linked"] = E(
    lambda t: reverse("health:case", args=[_case_id(t)]),
    linked_in_grid_b,
    shown=_li_na,
    setup=_li_na_contact_of_child,
)
ROWS["health:cases?linked"] = E(
    lambda t: reverse("health:cases") + _grid(t),
    linked_in_grid_b,
    shown=_li_na,
    setup=_li_na_contact_of_child,
)
ROWS["health:person?linked"] = E(
    lambda t: reverse("health:person", args=[t.person_a.pk]),
    linked_in_grid_b,
    shown=_li_na,
    setup=_zhang_wei_contact_of_li_na,
)
ROWS["health:case_close"] = E(
    lambda t: reverse("health:case_close", args=[_case_id(t)]),
    case_staff,
    method="post",
    setup=_case_of_child,
    body=lambda t: {"reason": "治愈"},
    form=True,
)
ROWS["health:checkpoints"] = E(lambda t: reverse("health:checkpoints") + _grid(t), checkpoint_staff)
ROWS["health:checkpoint"] = E(
    lambda t: reverse("health:checkpoint", args=[_checkpoint_id(t)]),
    checkpoint_staff,
    setup=_checkpoint,
)
# A batch answers 200 to any recorder; a person outside the caller's area is a refused
# record in it (tests/health/test_api.py), not a refused request.
ROWS["api:post_check_ins"] = E(
    lambda t: reverse("api:post_check_ins"),
    lambda persona: 200 if persona in RECORDERS | {"grid_b"} else 403,
    method="post",
    body=_check_ins,
)
ROWS["api:list_alerts"] = E(
    lambda t: reverse("api:list_alerts") + _grid(t), health_view, setup=_zhang_wei_fever
)
ROWS["api:list_missing"] = E(
    lambda t: reverse("api:list_missing", args=[t.grid_a.code]), health_view
)
ROWS["api:summary"] = E(lambda t: reverse("api:summary") + _grid(t), health_view)
# A region's reporting rule: set by community staff and above, for regions in their scope.
ROWS["health:rules"] = E(lambda t: reverse("health:rules") + _grid(t), case_staff_page)
ROWS["health:rules?post"] = E(
    lambda t: reverse("health:rules") + _grid(t),
    case_staff,
    method="post",
    body=lambda t: {"who_reports": "everyone"},
    form=True,
)
