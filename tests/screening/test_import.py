"""`fangkong import samples`: a sampling app's export into a campaign, every row accounted for."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from fangkong.common.idnumbers import make as make_id
from fangkong.screening.models import Sample, SamplingPoint, Tube
from fangkong.screening.services import import_samples

from ..conftest import make_person
from .conftest import make_campaign, open_tube, swab

TITLE = ["芙蓉区核酸采样记录（导出）"]
HEADER = ["序号", "试管编号", "证件类型", "证件号码", "姓名", "采样时间", "采样点"]


def _when(hour: int) -> str:
    return timezone.localdate().strftime("%Y-%m-%d") + f" {hour:02d}:15"


def _row(n, barcode, person, hour=9, point="红星广场", name=None):
    return [
        n,
        barcode,
        "居民身份证",
        person.id_number,
        person.name if name is None else name,
        _when(hour),
        point,
    ]


def _csv(rows, encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([TITLE, HEADER, *rows])
    return out.getvalue().encode(encoding)


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in [TITLE, HEADER, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def residents(tree):
    return [tree.person_a, tree.child_a] + [
        make_person(tree.grid_a, name=f"居民{i}") for i in range(6)
    ]


def _import(data, campaign, tmp_path, name="samples.csv"):
    return import_samples(data=data, filename=name, campaign=campaign, rejects=tmp_path / "r.csv")


def test_a_file_under_title_rows_is_stored_tube_by_tube(tree, campaign, residents, tmp_path):
    rows = [_row(i, "HX1001" if i < 5 else "HX1002", p) for i, p in enumerate(residents)]
    result = _import(_csv(rows, "gb18030"), campaign, tmp_path)
    assert result.as_dict(None) == {
        "read": 8,
        "tubes": 2,
        "persons": 8,
        "rejected": 0,
        "rejects_file": None,
    }
    assert Tube.objects.filter(barcode="HX1001").get().samples.count() == 5
    tube = Tube.objects.get(barcode="HX1002")
    assert (tube.status, tube.pool_size, tube.region_path) == ("closed", 5, tree.grid_a.path)
    assert SamplingPoint.objects.get().name == "红星广场"
    assert set(Sample.objects.values_list("source", flat=True)) == {"import"}
    assert not (tmp_path / "r.csv").exists()


def test_the_same_file_again_changes_nothing(campaign, residents, tmp_path):
    data = _csv([_row(i, "HX1001", p) for i, p in enumerate(residents[:4])])
    first = _import(data, campaign, tmp_path)
    before = list(Sample.objects.order_by("id").values_list("id", "client_id", "tube_id"))
    again = _import(data, campaign, tmp_path)
    assert again.as_dict(None) == first.as_dict(None)
    assert (again.new_samples, again.new_tubes) == (0, 0)
    assert list(Sample.objects.order_by("id").values_list("id", "client_id", "tube_id")) == before


def test_every_refused_row_is_in_the_rejects_file_with_its_reason(
    tree, people, campaign, residents, tmp_path
):
    other = make_campaign(tree, name="第2轮")
    swab(people.grid_a, open_tube(people.grid_a, other, barcode="HX9999"), tree.person_b)
    stranger = [
        "9",
        "HX1003",
        "居民身份证",
        make_id("110101", dt.date(1990, 3, 7), 15),
        "某人",
        _when(9),
        "",
    ]
    rows = [
        _row(1, "HX1001", residents[0]),
        _row(2, "HX9999", residents[1]),  # another campaign's tube
        stranger,  # nobody registered
        _row(4, "HX1001", residents[2], name="别人"),  # the name does not match
        _row(5, "HX1001", residents[3], hour=99),  # no time
        _row(6, "H1", residents[4]),  # not a barcode
        _row(7, "HX1001", residents[0]),  # twice in the same tube
        ["8", "HX1001", "居民身份证", "4301021980", "某", _when(9), ""],  # a broken ID number
    ]
    result = _import(_csv(rows), campaign, tmp_path)
    assert (result.read, result.persons, len(result.rejected)) == (8, 1, 7)
    with open(tmp_path / "r.csv", encoding="utf-8-sig") as f:
        written = list(csv.reader(f))
    assert written[0] == [*HEADER, "错误原因"]
    reasons = {row[0]: row[-1] for row in written[1:]}
    assert set(reasons) == {"2", "9", "4", "5", "6", "7", "8"}
    assert "another campaign" in reasons["2"]
    assert reasons["9"] == "no registered person with this document"
    assert "姓名" in reasons["4"] and "采样时间" in reasons["5"]
    assert "letters and digits" in reasons["6"] and "row 3" in reasons["7"]


def test_a_tube_takes_no_more_than_the_pool_size(campaign, residents, tmp_path):
    result = _import(
        _csv([_row(i, "HX1001", p) for i, p in enumerate(residents[:7])]), campaign, tmp_path
    )
    assert (result.persons, len(result.rejected)) == (5, 2)
    assert all("5 swabs at most" in r.reason for r in result.rejected)


def test_a_person_in_two_tubes_is_stored_twice_and_flagged(campaign, residents, tmp_path):
    result = _import(
        _csv([_row(1, "HX1001", residents[0]), _row(2, "HX1002", residents[0])]), campaign, tmp_path
    )
    assert (result.persons, result.repeats) == (2, 1)
    assert sorted(Sample.objects.values_list("repeat", flat=True)) == [False, True]


def test_a_phone_tube_is_filled_up_by_the_file_and_closes(people, campaign, residents, tmp_path):
    tube = open_tube(people.grid_a, campaign, barcode="HX1001")
    swab(people.grid_a, tube, residents[0], residents[1])
    result = _import(
        _csv([_row(i, "HX1001", p) for i, p in enumerate(residents[:5])]), campaign, tmp_path
    )
    assert (result.persons, result.new_samples, result.rejected) == (5, 3, [])
    tube.refresh_from_db()
    assert tube.status == "closed" and tube.samples.count() == 5


def test_a_swab_outside_the_campaigns_days_is_refused(campaign, residents, tmp_path):
    row = _row(1, "HX1001", residents[0])
    row[5] = "2001-01-01 09:00"
    result = _import(_csv([row]), campaign, tmp_path)
    assert "runs" in result.rejected[0].reason


def test_an_xlsx_export_reads_as_the_csv_does(campaign, residents, tmp_path):
    result = _import(_xlsx([_row(1, "HX1001", residents[0])]), campaign, tmp_path, "s.xlsx")
    assert (result.read, result.persons) == (1, 1)


def test_a_barcode_excel_shortened_to_digits_in_e_notation_is_refused(
    campaign, residents, tmp_path
):
    row = _row(1, "1.23457E+17", residents[0])
    result = _import(_csv([row]), campaign, tmp_path)
    assert "Excel" in result.rejected[0].reason


def test_the_import_command_ends_with_the_json_contract(campaign, residents, tmp_path, capsys):
    path = tmp_path / "采样.xlsx"
    path.write_bytes(_xlsx([_row(1, "HX1001", residents[0]), _row(2, "HX1001", residents[0])]))
    call_command("import", "samples", str(path), "--campaign", str(campaign.pk), "--json")
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    rejects = tmp_path / "采样-rejects.xlsx"
    assert last == {
        "read": 2,
        "tubes": 1,
        "persons": 1,
        "rejected": 1,
        "rejects_file": str(rejects),
    }
    sheet = load_workbook(rejects).active
    assert [c.value for c in sheet[1]][-1] == "错误原因"


def test_the_import_command_refuses_a_file_that_is_not_a_sampling_file(campaign, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("姓名,电话\n张三,138\n", encoding="utf-8")
    with pytest.raises(CommandError, match="header"):
        call_command("import", "samples", str(path), "--campaign", str(campaign.pk))
    with pytest.raises(CommandError, match="--campaign"):
        call_command("import", "samples", str(path))


def test_a_person_outside_the_campaigns_region_is_refused_with_the_reason(
    tree, campaign, residents, tmp_path
):
    from django.utils import translation

    rows = [_row(1, "HX1001", residents[0]), _row(2, "HX1001", tree.person_b)]  # 芷园社区
    result = _import(_csv(rows), campaign, tmp_path)
    assert (result.persons, [r.number for r in result.rejected]) == (1, [4])
    assert result.rejected[0].reason == "the person lives outside the campaign's region (红星社区)"
    assert not Sample.objects.filter(person=tree.person_b).exists()
    with translation.override("zh-hans"):
        again = _import(_csv(rows), campaign, tmp_path)
    with open(tmp_path / "r.csv", encoding="utf-8-sig") as f:
        written = list(csv.reader(f))
    assert again.rejected[0].reason == written[1][-1] == "此人不在本批次的检测范围（红星社区）内"
