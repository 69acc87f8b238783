"""The ledger pages and API: upload with a summary and rejects file, Excel export, duplicates."""

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fangkong.accounts.models import AuditEntry
from fangkong.people.models import LedgerUpload, Person, PersonTag

from ..conftest import make_person
from .ledgers import HEADER, ident, read_xlsx, xlsx

UPLOAD = reverse("people:ledger_upload")


def ledger_with_one_bad_row() -> bytes:
    return xlsx(
        [["红星社区居民台账"], HEADER, [1, "赵一", "男", ident(1)], [2, "", "男", ident(2)]]
    )


def post_ledger(client, tree, data: bytes, name="台账.xlsx", upload_id=None, **headers):
    return client.post(
        UPLOAD,
        {
            "region": tree.grid_a.code,
            "upload_id": str(upload_id or uuid.uuid4()),
            "file": SimpleUploadedFile(name, data),
        },
        **headers,
    )


def test_a_grid_worker_uploads_a_ledger_and_gets_the_summary_and_the_rejects_file(
    tree, people, login
):
    client = login(people.grid_a)
    page = client.get(UPLOAD + f"?region={tree.grid_a.code}")
    assert "导入台账".encode() in page.content or b"Import a ledger" in page.content
    response = post_ledger(client, tree, ledger_with_one_bad_row())
    assert response.status_code == 200
    upload = LedgerUpload.objects.get()
    assert upload.summary["created"] == 1 and upload.summary["rejected"] == 1
    rejects_url = reverse("people:ledger_rejects", args=[upload.upload_id])
    assert rejects_url.encode() in response.content
    download = client.get(rejects_url)
    assert "rejects.xlsx" in download["Content-Disposition"]
    rows = read_xlsx(b"".join(download.streaming_content))
    assert len(rows) == 2 and rows[1][3] == ident(2)


def test_a_resubmitted_form_imports_once(tree, people, login):
    client = login(people.grid_a)
    upload_id = uuid.uuid4()
    post_ledger(client, tree, ledger_with_one_bad_row(), upload_id=upload_id)
    again = post_ledger(client, tree, ledger_with_one_bad_row(), upload_id=upload_id)
    assert again.status_code == 200
    assert LedgerUpload.objects.count() == 1
    assert AuditEntry.objects.filter(action="import").count() == 1


def test_htmx_gets_just_the_result(tree, people, login):
    client = login(people.grid_a)
    response = post_ledger(client, tree, ledger_with_one_bad_row(), HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b"ledger-summary" in response.content


def test_a_file_that_is_not_a_ledger_gets_one_message_and_nothing_is_written(tree, people, login):
    client = login(people.grid_a)
    before = Person.objects.count()
    response = post_ledger(client, tree, "日期,内容\n1月,开会\n".encode(), name="notes.csv")
    assert response.status_code == 400
    assert "身份证号".encode() in response.content
    assert Person.objects.count() == before
    assert LedgerUpload.objects.get().status == "failed"


def test_uploading_into_another_grid_is_not_found(tree, people, login):
    client = login(people.grid_b)
    response = post_ledger(client, tree, ledger_with_one_bad_row())
    assert response.status_code == 404
    assert not Person.objects.filter(name="赵一").exists()


def test_the_progress_of_a_running_upload_is_shown(tree, people, login, settings):
    from django.core.cache import cache

    upload_id = uuid.uuid4()
    cache.set(
        f"ledger-progress:{people.grid_a.pk}:{upload_id}",
        {"checked": 4000, "rejected": 3, "total": 10000},
    )
    response = login(people.grid_a).get(reverse("people:ledger_progress", args=[upload_id]))
    assert b'value="4000"' in response.content and b"10000" in response.content


def test_the_excel_export_is_the_ledger_layout_and_imports_back_unchanged(tree, people, login):
    client = login(people.grid_a)
    response = client.get(reverse("people:ledger_export") + f"?region={tree.grid_a.code}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(response.content)
    assert rows[0][0].startswith("红星第1网格")
    assert rows[1][:5] == ["序号", "姓名", "性别", "证件类型", "证件号码"]
    zhang = next(r for r in rows if r[1] == "张伟")
    assert zhang[4] == tree.person_a.id_number and zhang[13] == "是"  # 是否独居老人
    assert AuditEntry.objects.filter(action="export", username="grid_a").count() == 1
    again = post_ledger(client, tree, response.content, name="export.xlsx")
    summary = LedgerUpload.objects.get().summary
    assert again.status_code == 200
    assert (summary["read"], summary["unchanged"], summary["rejected"]) == (2, 2, 0)


def test_street_staff_export_masked_identifiers(tree, people, login):
    response = login(people.street).get(
        reverse("people:ledger_export") + f"?region={tree.community_a.code}"
    )
    rows = read_xlsx(response.content)
    zhang = next(r for r in rows if r[1] == "张伟")
    assert zhang[4] == tree.person_a.id_masked and zhang[4] != tree.person_a.id_number
    assert zhang[15] == tree.grid_a.code  # 网格: a community's ledger names each row's grid


def test_an_excel_ledger_is_for_a_grid_or_community_not_a_district(tree, people, login):
    response = login(people.hq).get(
        reverse("people:ledger_export") + f"?region={tree.district.code}"
    )
    assert response.status_code == 400


def _duplicate(tree):
    return make_person(
        tree.grid_a, name="张伟", birth_on=tree.person_a.birth_on, phone="", tags=["close_contact"]
    )


def test_possible_duplicates_are_listed_and_merging_keeps_both_records_tags(tree, people, login):
    dup = _duplicate(tree)
    client = login(people.grid_a)
    page = client.get(reverse("people:duplicates") + f"?region={tree.grid_a.code}")
    assert page.content.count(reverse("people:person", args=[dup.pk]).encode()) == 1
    response = client.post(
        reverse("people:duplicates_merge"),
        {"first": tree.person_a.pk, "second": dup.pk, "keep": tree.person_a.pk},
    )
    assert response.status_code == 302
    assert not Person.objects.filter(pk=dup.pk).exists()
    kinds = set(PersonTag.objects.filter(person=tree.person_a).values_list("kind", flat=True))
    assert kinds == {"elderly_alone", "close_contact"}
    tree.person_a.refresh_from_db()
    assert dup.id_number not in tree.person_a.notes  # kept as a merged record instead
    merge = tree.person_a.merges.get()
    assert (merge.dropped_id, merge.id_number) == (dup.pk, dup.id_number)
    assert AuditEntry.objects.get(action="merge").detail["dropped"] == dup.pk


def test_a_dismissed_pair_is_no_longer_listed(tree, people, login):
    dup = _duplicate(tree)
    client = login(people.grid_a)
    client.post(reverse("people:duplicates_dismiss"), {"first": dup.pk, "second": tree.person_a.pk})
    page = client.get(reverse("people:duplicates") + f"?region={tree.grid_a.code}")
    assert reverse("people:person", args=[dup.pk]).encode() not in page.content
    assert Person.objects.filter(pk=dup.pk).exists()


def test_same_name_and_phone_is_a_possible_duplicate_too(tree, people, login):
    other = make_person(tree.grid_a, name="张伟", phone=tree.person_a.phone)
    pairs = (
        login(people.grid_a)
        .get(reverse("api:list_duplicates") + f"?region={tree.grid_a.code}")
        .json()
    )
    assert [(p["first"], p["second"]) for p in pairs] == [(tree.person_a.pk, other.pk)]


def test_the_api_imports_a_ledger_and_serves_its_rejects(tree, people, login):
    client = login(people.grid_a)
    response = client.post(
        reverse("api:import_ledger_file"),
        {
            "region": tree.grid_a.code,
            "file": SimpleUploadedFile("a.xlsx", ledger_with_one_bad_row()),
        },
    )
    body = response.json()
    assert response.status_code == 200
    assert (body["read"], body["created"], body["rejected"]) == (2, 1, 1)
    assert body["rejects"] == [{"row": 4, "reason": body["rejects"][0]["reason"]}]
    rejects = client.get(body["rejects_url"])
    assert rejects.status_code == 200
    assert len(read_xlsx(b"".join(rejects.streaming_content))) == 2


def test_the_api_refuses_a_file_that_is_not_a_ledger(tree, people, login):
    response = login(people.grid_a).post(
        reverse("api:import_ledger_file"),
        {"region": tree.grid_a.code, "file": SimpleUploadedFile("a.pdf", b"%PDF\x00")},
    )
    assert response.status_code == 422 and "不是表格文件" in response.json()["detail"]
