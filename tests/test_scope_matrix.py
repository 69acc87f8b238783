"""Every role against every list, detail, export and API endpoint of the registry.

The subject is always something in grid A (张伟, his household, building and grid). The last
test walks the URL configuration: an endpoint added without a row here fails the suite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import AuditEntry

from .conftest import PERSONAS

REGISTRY = {"hq", "district", "street", "community", "grid_a"}
UNMASKERS = {"community", "grid_a"}
SCOPE_HOLDS_GRID_A = REGISTRY | {"volunteer", "warehouse", "lab", "hospital"}
ALL = [*PERSONAS, "outsider"]


def registry_detail(persona: str):
    if persona in REGISTRY:
        return 200
    return 404 if persona == "grid_b" else 403


def registry_list(persona: str):
    if persona in REGISTRY:
        return "shown"
    return "hidden" if persona == "grid_b" else 403


def unmask(persona: str):
    if persona in UNMASKERS:
        return 200
    return 404 if persona == "grid_b" else 403


def region_tree(persona: str):
    return 200 if persona in SCOPE_HOLDS_GRID_A else 404


EDITORS = {"community", "grid_a"}


def editors(persona: str, ok: int = 200):
    if persona in EDITORS:
        return ok
    return 404 if persona == "grid_b" else 403


def new_resident(tree):
    from fangkong.common.idnumbers import make

    return {
        "name": "新居民",
        "id_number": make("430102", dt.date(1991, 1, 1), 101),
        "grid": tree.grid_a.code,
        "household": tree.household_a.pk,
    }


def supervisors_list(persona: str):
    return "shown" if persona in {"hq", "district"} else 403


def _audited_reveal(tree):
    from fangkong.accounts.services import record_audit

    record_audit(
        user=None,
        action=AuditAction.VIEW_UNMASKED,
        object_type="person",
        object_id=tree.person_a.pk,
        region_path=tree.person_a.region_path,
    )


def region_tree_list(persona: str):
    return "shown" if persona in SCOPE_HOLDS_GRID_A else "hidden"


@dataclass
class Endpoint:
    url: Callable  # tree -> url
    expect: Callable  # persona -> 200 / 403 / 404 / "shown" / "hidden"
    method: str = "get"
    shown: Callable | None = None  # tree -> text that proves the subject is in a list
    setup: Callable | None = None  # tree -> None: make what the endpoint lists
    body: Callable | None = None  # tree -> JSON body (sent with the method)
    form: bool = False  # send the body as a form (multipart), not JSON


E = Endpoint
MATRIX: dict[str, Endpoint] = {
    "people:region": E(lambda t: reverse("people:region", args=[t.grid_a.code]), registry_detail),
    "people:building": E(
        lambda t: reverse("people:building", args=[t.building_a.pk]), registry_detail
    ),
    "people:household": E(
        lambda t: reverse("people:household", args=[t.household_a.pk]), registry_detail
    ),
    "people:person": E(lambda t: reverse("people:person", args=[t.person_a.pk]), registry_detail),
    "people:reveal": E(
        lambda t: reverse("people:reveal", args=[t.person_a.pk]), unmask, method="post"
    ),
    "people:search": E(
        lambda t: reverse("people:search") + "?q=张", registry_list, shown=lambda t: "张伟"
    ),
    "people:export": E(
        lambda t: reverse("people:export") + "?q=张", registry_list, shown=lambda t: "张伟"
    ),
    "api:list_regions": E(
        lambda t: reverse("api:list_regions") + "?level=grid",
        region_tree_list,
        shown=lambda t: t.grid_a.code,
    ),
    "api:get_region": E(lambda t: reverse("api:get_region", args=[t.grid_a.code]), region_tree),
    "api:list_persons": E(
        lambda t: reverse("api:list_persons") + "?q=张", registry_list, shown=lambda t: "张伟"
    ),
    "api:region_summary": E(
        lambda t: reverse("api:region_summary", args=[t.grid_a.code]), registry_detail
    ),
    "api:get_person": E(lambda t: reverse("api:get_person", args=[t.person_a.pk]), registry_detail),
    "api:get_person?unmasked": E(
        lambda t: reverse("api:get_person", args=[t.person_a.pk]) + "?unmasked=true", unmask
    ),
}
MATRIX["people:new"] = E(
    lambda t: reverse("people:new") + f"?household={t.household_a.pk}", editors
)
MATRIX["api:create_person"] = E(
    lambda t: reverse("api:create_person"),
    lambda persona: editors(persona, ok=201),
    method="post",
    body=new_resident,
)
MATRIX["accounts:audit"] = E(
    lambda t: reverse("accounts:audit"),
    supervisors_list,
    shown=lambda t: reverse("people:person", args=[t.person_a.pk]),
    setup=_audited_reveal,
)


def any_editor(persona: str):
    return 200 if persona in EDITORS | {"grid_b"} else 403


def uploader_only(persona: str):
    if persona == "grid_a":
        return 200
    return 404 if persona in EDITORS | {"grid_b"} else 403


def _grid_a_upload(tree):
    from fangkong.accounts.models import User
    from fangkong.people.models import LedgerUpload
    from fangkong.people.services.ledger_upload import uploads_dir

    (uploads_dir() / f"{UPLOAD_ID}-a-rejects.csv").write_text("姓名,身份证号,错误原因\n", "utf-8")
    LedgerUpload.objects.create(
        upload_id=UPLOAD_ID,
        user=User.objects.get(username="grid_a"),
        region=tree.grid_a,
        region_path=tree.grid_a.path,
        filename="a.csv",
        status="done",
        rejects_file=f"{UPLOAD_ID}-a-rejects.csv",
    )


def _duplicate_of_zhang_wei(tree):
    from .conftest import make_person

    make_person(tree.grid_a, name="张伟", birth_on=tree.person_a.birth_on, phone="")


def _pair(tree):
    from fangkong.people.models import Person

    dup = Person.objects.filter(name="张伟").exclude(pk=tree.person_a.pk).get()
    return {"first": tree.person_a.pk, "second": dup.pk, "keep": tree.person_a.pk}


def _ledger_file(tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fangkong.common.idnumbers import make

    number = make("430102", dt.date(1992, 2, 2), 55)
    data = f"姓名,身份证号\n新居民,{number}\n".encode()
    return {"region": tree.grid_a.code, "file": SimpleUploadedFile("a.csv", data)}


UPLOAD_ID = "5b0e2a55-1f7c-4a8e-9a51-3a1e0c2d9f10"
MATRIX["people:ledger_upload"] = E(
    lambda t: reverse("people:ledger_upload") + f"?region={t.grid_a.code}", editors
)
MATRIX["people:ledger_progress"] = E(
    lambda t: reverse("people:ledger_progress", args=[UPLOAD_ID]), any_editor
)
MATRIX["people:ledger_rejects"] = E(
    lambda t: reverse("people:ledger_rejects", args=[UPLOAD_ID]),
    uploader_only,
    setup=_grid_a_upload,
)
MATRIX["people:ledger_export"] = E(
    lambda t: reverse("people:ledger_export") + f"?region={t.grid_a.code}", registry_detail
)
MATRIX["people:duplicates"] = E(
    lambda t: reverse("people:duplicates") + f"?region={t.grid_a.code}",
    editors,
    setup=_duplicate_of_zhang_wei,
)
MATRIX["people:duplicates_merge"] = E(
    lambda t: reverse("people:duplicates_merge"),
    lambda persona: editors(persona, ok=302),
    method="post",
    setup=_duplicate_of_zhang_wei,
    body=_pair,
    form=True,
)
MATRIX["people:duplicates_dismiss"] = E(
    lambda t: reverse("people:duplicates_dismiss"),
    lambda persona: editors(persona, ok=302),
    method="post",
    setup=_duplicate_of_zhang_wei,
    body=_pair,
    form=True,
)
MATRIX["api:import_ledger_file"] = E(
    lambda t: reverse("api:import_ledger_file"),
    editors,
    method="post",
    body=_ledger_file,
    form=True,
)
MATRIX["api:ledger_rejects"] = E(
    lambda t: reverse("api:ledger_rejects", args=[UPLOAD_ID]), uploader_only, setup=_grid_a_upload
)
MATRIX["api:list_duplicates"] = E(
    lambda t: reverse("api:list_duplicates") + f"?region={t.grid_a.code}",
    editors,
    setup=_duplicate_of_zhang_wei,
)

HEALTH_VIEWERS = REGISTRY  # hq, district, street, community, grid_a
RECORDERS = EDITORS  # community, grid_a
CASE_STAFF = {"hq", "district", "street", "community"}
CHECKPOINT_STAFF = HEALTH_VIEWERS | {"volunteer"}


def health_view(persona: str):
    if persona in HEALTH_VIEWERS:
        return 200
    return 404 if persona == "grid_b" else 403


def recorders(persona: str, ok: int = 200):
    if persona in RECORDERS:
        return ok
    return 404 if persona == "grid_b" else 403


def viewers_then_recorders(persona: str, ok: int = 302):
    """Found for any health viewer, done only by those who record."""
    if persona in RECORDERS:
        return ok
    return 404 if persona == "grid_b" else 403


def case_staff(persona: str, ok: int = 302):
    if persona in CASE_STAFF:
        return ok
    return 404 if persona == "grid_b" else 403


def checkpoint_staff(persona: str):
    if persona in CHECKPOINT_STAFF:
        return 200
    return 404 if persona == "grid_b" else 403


def _watch_zhang_wei(tree):
    from fangkong.health.models import Observation

    today = dt.date.today()
    Observation.objects.create(
        person=tree.person_a,
        region_path=tree.person_a.region_path,
        kind="home_observation",
        reason="返乡",
        start_on=today,
        end_on=today + dt.timedelta(days=13),
    )


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


MATRIX["health:staff"] = E(lambda t: reverse("health:staff") + _grid(t), health_view)
MATRIX["health:people"] = E(
    lambda t: reverse("health:people") + _grid(t), health_view, setup=_watch_zhang_wei
)
MATRIX["health:alerts"] = E(
    lambda t: reverse("health:alerts") + _grid(t), health_view, setup=_zhang_wei_fever
)
MATRIX["health:alert_close"] = E(
    lambda t: reverse("health:alert_close", args=[_alert_id(t)]),
    viewers_then_recorders,
    method="post",
    setup=_zhang_wei_fever,
    body=lambda t: {"outcome": "normal"},
    form=True,
)
MATRIX["health:missing"] = E(
    lambda t: reverse("health:missing", args=[t.grid_a.code]), health_view, setup=_watch_zhang_wei
)
MATRIX["health:person"] = E(lambda t: reverse("health:person", args=[t.person_a.pk]), health_view)
MATRIX["health:observe"] = E(
    lambda t: reverse("health:observe", args=[t.person_a.pk]),
    viewers_then_recorders,
    method="post",
    body=lambda t: {"kind": "home_observation", "reason": "返乡"},
    form=True,
)
MATRIX["health:observation"] = E(
    lambda t: reverse("health:observation", args=[_observation_id(t)]),
    viewers_then_recorders,
    method="post",
    setup=_watch_zhang_wei,
    body=lambda t: {"action": "extend", "days": "2", "reason": "复查"},
    form=True,
)
MATRIX["health:building_qr"] = E(
    lambda t: reverse("health:building_qr", args=[t.building_a.pk]), recorders
)
MATRIX["health:quick_entry"] = E(
    lambda t: reverse("health:quick_entry", args=[t.building_a.pk]), recorders
)
MATRIX["health:cases"] = E(lambda t: reverse("health:cases") + _grid(t), health_view)
MATRIX["health:case_new"] = E(
    lambda t: reverse("health:case_new"),
    case_staff,
    method="post",
    body=lambda t: {"person": t.person_a.pk, "classification": "suspected"},
    form=True,
)
MATRIX["health:case"] = E(
    lambda t: reverse("health:case", args=[_case_id(t)]), health_view, setup=_case_of_child
)
MATRIX["health:contact_new"] = E(
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
MATRIX["health:checkpoints"] = E(
    lambda t: reverse("health:checkpoints") + _grid(t), checkpoint_staff
)
MATRIX["health:checkpoint"] = E(
    lambda t: reverse("health:checkpoint", args=[_checkpoint_id(t)]),
    checkpoint_staff,
    setup=_checkpoint,
)
# A batch answers 200 to any recorder; a person outside the caller's area is a refused
# record in it (tests/health/test_api.py), not a refused request.
MATRIX["api:post_check_ins"] = E(
    lambda t: reverse("api:post_check_ins"),
    lambda persona: 200 if persona in RECORDERS | {"grid_b"} else 403,
    method="post",
    body=_check_ins,
)
MATRIX["api:list_alerts"] = E(
    lambda t: reverse("api:list_alerts") + _grid(t), health_view, setup=_zhang_wei_fever
)
MATRIX["api:list_missing"] = E(
    lambda t: reverse("api:list_missing", args=[t.grid_a.code]), health_view
)
MATRIX["api:summary"] = E(lambda t: reverse("api:summary") + _grid(t), health_view)
# Not personal data, or the way in: answered for anyone (checked elsewhere).
EXEMPT = {
    "people:home",
    "accounts:login",
    "accounts:logout",
    "set_language",
    "api:openapi-json",
    "api:openapi-view",
    "api:api-root",
    "api:create_token",
    # residents' QR page: no account, a signed link (tests/health/test_resident.py)
    "health:resident",
}


def _names(resolver=None, ns=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            yield from _names(p, f"{ns}{p.namespace}:" if p.namespace else ns)
        elif isinstance(p, URLPattern):
            yield f"{ns}{p.name}"


def _call(client, endpoint: Endpoint, tree):
    if endpoint.body and endpoint.form:
        return getattr(client, endpoint.method)(endpoint.url(tree), endpoint.body(tree))
    if endpoint.body:
        return getattr(client, endpoint.method)(
            endpoint.url(tree), endpoint.body(tree), content_type="application/json"
        )
    return getattr(client, endpoint.method)(endpoint.url(tree))


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("name", list(MATRIX))
def test_scope_matrix(name, persona, tree, people, login):
    endpoint = MATRIX[name]
    if endpoint.setup:
        endpoint.setup(tree)
    expected = endpoint.expect(persona)
    response = _call(login(people[persona]), endpoint, tree)
    if expected in ("shown", "hidden"):
        assert response.status_code == 200, response.content[:300]
        body = b"".join(response.streaming_content) if response.streaming else response.content
        present = endpoint.shown(tree).encode() in body
        assert present is (expected == "shown")
        # never anything from the other district, whoever asks
        assert "王芳".encode() not in body or persona == "hq"
    else:
        assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("name", list(MATRIX))
def test_anonymous_callers_are_sent_to_log_in_or_refused(name, tree, people, client):
    if MATRIX[name].setup:
        MATRIX[name].setup(tree)
    response = _call(client, MATRIX[name], tree)
    if name.startswith("api:"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_every_endpoint_is_in_the_matrix():
    names = set(_names())
    covered = {n.split("?")[0] for n in MATRIX} | EXEMPT
    assert names - covered == set(), "add these endpoints to the scope matrix"


@pytest.mark.parametrize("persona", sorted(UNMASKERS))
def test_every_unmasked_view_is_audited(persona, tree, people, login):
    client = login(people[persona])
    client.post(reverse("people:reveal", args=[tree.person_a.pk]))
    client.get(reverse("api:get_person", args=[tree.person_a.pk]) + "?unmasked=true")
    entries = AuditEntry.objects.filter(action=AuditAction.VIEW_UNMASKED, username=persona)
    assert entries.count() == 2
    assert {e.object_id for e in entries} == {str(tree.person_a.pk)}
    assert all(e.ip == "127.0.0.1" for e in entries)
