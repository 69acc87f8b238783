"""Ledgers and names as a careless or hostile user makes them: every one is refused with a
message or stored harmlessly, the server answers on, and no export runs a formula."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fangkong.common.spreadsheets import base
from fangkong.people.models import LedgerUpload, Person

from ..conftest import make_person
from .ledgers import HEADER, csv_bytes, far_cell_xlsx, ident, read_xlsx, xlsx
from .test_ledger_pages import UPLOAD, post_ledger

API_UPLOAD = reverse("api:import_ledger_file")
FORMULA_NAMES = ['=HYPERLINK("http://evil.example/x","点此查看")', "+cmd|' /C calc'!A0"]


def post_api(client, tree, data: bytes, name="a.xlsx"):
    return client.post(
        API_UPLOAD, {"region": tree.grid_a.code, "file": SimpleUploadedFile(name, data)}
    )


@pytest.mark.parametrize(
    ("row", "column", "far"), [(1048576, 16384, "XFD1048576"), (200_000, 200, "GR200000")]
)
def test_a_workbook_with_one_cell_far_away_is_refused_on_the_page_and_the_api(
    tree, people, login, row, column, far
):
    client = login(people.grid_a)
    data = far_cell_xlsx(row, column)
    page = post_ledger(client, tree, data)
    assert page.status_code == 400
    assert far in page.content.decode() and "200,000" in page.content.decode()
    api = post_api(client, tree, data)
    assert api.status_code == 422 and far in api.json()["detail"]
    assert set(LedgerUpload.objects.values_list("status", flat=True)) == {"failed"}
    assert not Person.objects.filter(name="张三").exists()
    assert client.get(UPLOAD + f"?region={tree.grid_a.code}").status_code == 200  # still up


def test_a_csv_cell_over_128_kb_is_refused_with_a_message_not_a_500(tree, people, login):
    data = csv_bytes([HEADER, [1, "赵一", "男", ident(1), "", "", "", "", "", "长" * 140_000]])
    client = login(people.grid_a)
    page = post_ledger(client, tree, data, name="a.csv")
    assert page.status_code == 400 and "131,072" in page.content.decode()
    api = post_api(client, tree, data, name="a.csv")
    assert api.status_code == 422 and "131,072" in api.json()["detail"]


def test_the_page_and_the_api_refuse_a_file_over_the_one_limit_with_one_message(
    tree, people, login, monkeypatch
):
    monkeypatch.setattr(base, "MAX_UPLOAD_BYTES", 1000)
    client = login(people.grid_a)
    data = csv_bytes([HEADER] + [[i, "赵一", "男", ident(i)] for i in range(1, 60)])
    assert 1000 < len(data) < 64 * 1024
    page = post_ledger(client, tree, data, name="a.csv")
    api = post_api(client, tree, data, name="a.csv")
    assert page.status_code == 400 and api.status_code == 413
    message = api.json()["detail"]
    assert "MB" in message and message in page.content.decode()
    assert not Person.objects.filter(name="赵一").exists()


def test_the_api_refuses_a_body_over_the_limit_before_reading_it(tree, people, login, monkeypatch):
    from django.http import multipartparser

    def never(*args, **kwargs):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(base, "MAX_UPLOAD_BYTES", 1000)
    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", never)
    response = post_api(login(people.grid_a), tree, b"x" * 100_000, name="a.csv")
    assert response.status_code == 413 and "MB" in response.json()["detail"]


def test_names_that_look_like_formulas_export_as_text_and_import_back_unchanged(
    tree, people, login
):
    client = login(people.grid_a)
    for i, name in enumerate(FORMULA_NAMES, 1):
        made = client.post(
            reverse("api:create_person"),
            {"name": name, "id_number": ident(500 + i), "grid": tree.grid_a.code},
            content_type="application/json",
        )
        assert made.status_code == 201 and made.json()["name"] == name
    export = client.get(reverse("people:ledger_export") + f"?region={tree.grid_a.code}")
    sheet = zipfile.ZipFile(io.BytesIO(export.content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet
    assert {r[1] for r in read_xlsx(export.content)} >= set(FORMULA_NAMES)
    post_ledger(client, tree, export.content, name="export.xlsx")
    summary = LedgerUpload.objects.get().summary
    assert (summary["read"], summary["unchanged"], summary["rejected"]) == (4, 4, 0)
    assert set(Person.objects.values_list("name", flat=True)) >= set(FORMULA_NAMES)
    csv_export = b"".join(
        client.get(reverse("people:export") + f"?region={tree.grid_a.code}").streaming_content
    ).decode("utf-8-sig")
    assert "'+cmd|" in csv_export and "\"'=HYPERLINK(" in csv_export


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("张\x07\x1b[31m三", "U+0007"),
        ("张\x00三", "U+0000"),
        ("\u202egpj.exe三张", "U+202E"),
        ("\u2066张三\u2069", "U+2066"),
        ("张\x85三", "U+0085"),
        ("\u200b\u200b", "不可见"),
        ("\u200d\ufeff", "不可见"),
    ],
)
def test_a_name_with_control_direction_or_only_invisible_characters_is_refused(
    tree, people, login, name, says
):
    client = login(people.grid_a)
    made = client.post(
        reverse("api:create_person"),
        {"name": name, "id_number": ident(600), "grid": tree.grid_a.code},
        content_type="application/json",
    )
    if "\x00" in name:  # a NUL is refused for the whole site before any field rule
        assert made.status_code == 400 and "NUL" in made.json()["detail"]
    else:
        assert made.status_code == 422
        assert says in made.json()["detail"]["name"]
    in_excel = "".join(f"_x{ord(c):04X}_" if ord(c) < 32 else c for c in name)  # as Excel saves it
    ledger = xlsx([HEADER, [1, in_excel, "男", ident(601)], [2, "赵二", "男", ident(602)]])
    post_ledger(client, tree, ledger)
    upload = LedgerUpload.objects.get()
    assert upload.status == "done" and upload.summary["created"] == 1
    assert says in upload.summary["rejects"][0][1]


def test_a_name_pasted_with_zero_width_spaces_or_a_line_break_is_kept_clean(tree, people, login):
    made = login(people.grid_a).post(
        reverse("api:create_person"),
        {"name": "张\u200b三\n", "id_number": ident(603), "grid": tree.grid_a.code},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["name"] == "张三"


def test_the_excel_export_never_fails_on_a_control_character_already_stored(tree, people, login):
    make_person(tree.grid_a, name="张\x07三", notes="备注\x1b[0m")
    response = login(people.grid_a).get(
        reverse("people:ledger_export") + f"?region={tree.grid_a.code}"
    )
    assert response.status_code == 200
    assert "张\ufffd三" in {r[1] for r in read_xlsx(response.content)}


def test_an_xlsx_whose_refused_row_holds_x0007_ends_done_with_a_clean_rejects_file(
    tree, people, login
):
    client = login(people.grid_a)
    ledger = xlsx([HEADER, [1, "张_x0007_三", "男", ident(610)], [2, "赵一", "男", ident(611)]])
    response = post_ledger(client, tree, ledger)
    assert response.status_code == 200
    upload = LedgerUpload.objects.get()
    assert upload.status == "done" and upload.summary["created"] == 1
    assert Person.objects.filter(name="赵一").exists()
    rejects = client.get(reverse("people:ledger_rejects", args=[upload.upload_id]))
    rows = read_xlsx(b"".join(rejects.streaming_content))
    assert rows[1][1] == "张\ufffd三" and "U+0007" in rows[1][-1]


def test_an_upload_whose_rejects_file_cannot_be_written_fails_with_nothing_saved(
    tree, people, login, monkeypatch
):
    from fangkong.people.services import ledger_upload

    def disk_full(result, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ledger_upload, "write_rejects", disk_full)
    client = login(people.grid_a)
    ledger = xlsx([HEADER, [1, "", "男", ident(620)], [2, "赵一", "男", ident(621)]])
    response = post_ledger(client, tree, ledger, upload_id=uuid.uuid4())
    assert response.status_code == 400
    upload = LedgerUpload.objects.get()
    assert upload.status == "failed" and "No space left on device" in upload.error
    assert upload.error in response.content.decode() and not upload.rejects_file
    assert not Person.objects.filter(name="赵一").exists()


def test_a_csv_rejects_file_defuses_formula_names_and_they_import_back_unchanged(tree):
    from fangkong.people.services import import_ledger, write_rejects

    bad = ident(630)[:-1] + ("0" if ident(630)[-1] != "0" else "1")  # a wrong check digit
    data = csv_bytes([HEADER, [1, FORMULA_NAMES[0], "男", bad], [2, FORMULA_NAMES[1], "男", bad]])
    result = import_ledger(data=data, filename="a.csv", region=tree.grid_a)
    out = io.BytesIO()
    write_rejects(result, out)
    text = out.getvalue().decode("utf-8-sig")
    assert "\n1,\"'=HYPERLINK(" in text and "\n2,'+cmd|" in text
    fixed = text.replace(bad, ident(630), 1).replace(bad, ident(631), 1).encode()
    again = import_ledger(data=fixed, filename="a-rejects.csv", region=tree.grid_a)
    assert (again.created, len(again.rejected)) == (2, 0)
    assert set(Person.objects.values_list("name", flat=True)) >= set(FORMULA_NAMES)
