"""Rows for the registry: regions, people, the ledger, the audit log."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from fangkong.accounts.choices import AuditAction

from .common import (
    EDITORS,
    REGISTRY,
    E,
    Endpoint,
    editors,
    new_resident,
    region_tree,
    region_tree_list,
    registry_detail,
    registry_list,
    supervisors_list,
    unmask,
)


def _audited_reveal(tree):
    from fangkong.accounts.services import record_audit

    record_audit(
        user=None,
        action=AuditAction.VIEW_UNMASKED,
        object_type="person",
        object_id=tree.person_a.pk,
        region_path=tree.person_a.region_path,
    )


ROWS: dict[str, Endpoint] = {
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
ROWS["people:new"] = E(lambda t: reverse("people:new") + f"?household={t.household_a.pk}", editors)
ROWS["api:create_person"] = E(
    lambda t: reverse("api:create_person"),
    lambda persona: editors(persona, ok=201),
    method="post",
    body=new_resident,
)
ROWS["accounts:audit"] = E(
    lambda t: reverse("accounts:audit"),
    supervisors_list,
    shown=lambda t: reverse("people:person", args=[t.person_a.pk]),
    setup=_audited_reveal,
)


def _viewed(tree):
    """grid A's worker opened 张伟's page (the read log, written as a flush would)."""
    from fangkong.accounts.services import record_audit

    record_audit(
        user=None,
        username="grid_a",
        action=AuditAction.VIEW,
        object_type="person",
        object_id=tree.person_a.pk,
        region_path=tree.person_a.region_path,
    )


# "who has seen this person": supervisors of the person's region only
ROWS["accounts:audit?person"] = E(
    lambda t: reverse("accounts:audit") + f"?person={t.person_a.pk}&action=view",
    supervisors_list,
    shown=lambda t: f"?person={t.person_a.pk}",
    setup=_viewed,
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
    from ..conftest import make_person

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
ROWS["people:ledger_upload"] = E(
    lambda t: reverse("people:ledger_upload") + f"?region={t.grid_a.code}", editors
)
ROWS["people:ledger_progress"] = E(
    lambda t: reverse("people:ledger_progress", args=[UPLOAD_ID]), any_editor
)
ROWS["people:ledger_rejects"] = E(
    lambda t: reverse("people:ledger_rejects", args=[UPLOAD_ID]),
    uploader_only,
    setup=_grid_a_upload,
)
ROWS["people:ledger_export"] = E(
    lambda t: reverse("people:ledger_export") + f"?region={t.grid_a.code}", registry_detail
)
ROWS["people:duplicates"] = E(
    lambda t: reverse("people:duplicates") + f"?region={t.grid_a.code}",
    editors,
    setup=_duplicate_of_zhang_wei,
)
ROWS["people:duplicates_merge"] = E(
    lambda t: reverse("people:duplicates_merge"),
    lambda persona: editors(persona, ok=302),
    method="post",
    setup=_duplicate_of_zhang_wei,
    body=_pair,
    form=True,
)
ROWS["people:duplicates_dismiss"] = E(
    lambda t: reverse("people:duplicates_dismiss"),
    lambda persona: editors(persona, ok=302),
    method="post",
    setup=_duplicate_of_zhang_wei,
    body=_pair,
    form=True,
)
ROWS["api:import_ledger_file"] = E(
    lambda t: reverse("api:import_ledger_file"),
    editors,
    method="post",
    body=_ledger_file,
    form=True,
)
ROWS["api:ledger_rejects"] = E(
    lambda t: reverse("api:ledger_rejects", args=[UPLOAD_ID]), uploader_only, setup=_grid_a_upload
)
ROWS["api:list_duplicates"] = E(
    lambda t: reverse("api:list_duplicates") + f"?region={t.grid_a.code}",
    editors,
    setup=_duplicate_of_zhang_wei,
)


# The picker (people/_picker.html): rows, a building's doors, the chosen one, the search box.
def _pick(query: str):
    return lambda t: reverse("people:pick") + query


def any_registry_role(persona: str):
    return 200 if persona in REGISTRY | {"grid_b"} else 403


ROWS["people:pick"] = E(_pick("?field=person&q=张"), registry_list, shown=lambda t: "张伟")
ROWS["people:pick?id_tail"] = E(
    lambda t: reverse("people:pick") + f"?q={t.person_a.id_number[-4:]}",
    registry_list,
    shown=lambda t: "张伟",
)
ROWS["people:pick?chosen"] = E(
    lambda t: reverse("people:pick") + f"?field=person&chosen={t.person_a.pk}", registry_detail
)
ROWS["people:pick?buildings"] = E(
    _pick("?field=household&mode=household&q=1"), registry_list, shown=lambda t: "1栋"
)
ROWS["people:pick?doors"] = E(
    lambda t: reverse("people:pick") + f"?mode=household&building={t.building_a.pk}",
    registry_detail,
)
ROWS["people:pick?household"] = E(
    lambda t: reverse("people:pick") + f"?mode=household&chosen={t.household_a.pk}",
    registry_detail,
)
ROWS["people:pick?reset"] = E(_pick("?field=person&reset=1"), any_registry_role)
