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
    from fangkong.people.services.ledger import uploads_dir

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
