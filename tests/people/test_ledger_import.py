"""Importing the ledgers communities keep: each quirk a small file built here."""

import datetime as dt
import io

import pytest

from fangkong.accounts.models import AuditEntry
from fangkong.accounts.scope import scope_of
from fangkong.common.idnumbers import make
from fangkong.people.ledger import LedgerInvalid
from fangkong.people.models import Person
from fangkong.people.services import import_ledger, write_rejects
from fangkong.regions.models import Building, Household

from .ledgers import HEADER, csv_bytes, ident, read_xlsx, xlsx


def run(tree, data: bytes, filename: str = "台账.xlsx", region=None, **kw):
    return import_ledger(data=data, filename=filename, region=region or tree.grid_a, **kw)


def counts(result) -> tuple[int, int, int, int, int]:
    return (result.read, result.created, result.updated, result.unchanged, len(result.rejected))


def row(
    n, name="赵一", phone="13911112222", building="3栋", unit="1", door="201", cat="", notes=""
):
    return [n, name, "男", ident(n), phone, building, unit, door, cat, notes]


def test_a_ledger_with_a_title_row_imports_every_person_into_their_household(tree):
    data = xlsx(
        [
            ["红星社区第1网格居民台账"],
            ["填表人：李四   填表日期：2022年1月28日"],
            HEADER,
            row(1, "赵一"),
            row(2, "赵二", door="201"),
            row(3, "钱三", door="202"),
        ],
        merges=("A1:J1",),
    )
    result = run(tree, data)
    assert counts(result) == (3, 3, 0, 0, 0)
    zhao = Person.objects.get(name="赵一")
    assert zhao.household == Person.objects.get(name="赵二").household
    assert zhao.household.label.startswith("3栋")
    assert Person.objects.get(name="钱三").household != zhao.household
    assert zhao.region_path == tree.grid_a.path


def test_importing_the_same_file_twice_changes_nothing(tree):
    data = xlsx([HEADER, row(1), row(2, "赵二")])
    run(tree, data)
    stamps = list(Person.objects.order_by("id").values_list("updated_at", flat=True))
    households = Household.objects.count()
    again = run(tree, data)
    assert counts(again) == (2, 0, 0, 2, 0)
    assert list(Person.objects.order_by("id").values_list("updated_at", flat=True)) == stamps
    assert Household.objects.count() == households


def test_an_updated_ledger_updates_phones_addresses_and_tags_and_says_how_many(tree):
    run(tree, xlsx([HEADER, row(1), row(2, "赵二")]))
    updated = xlsx(
        [HEADER, row(1, phone="13700000001", door="305", cat="密切接触者"), row(2, "赵二")]
    )
    result = run(tree, updated)
    assert counts(result) == (2, 0, 1, 1, 0)
    zhao = Person.objects.get(name="赵一")
    assert zhao.phone == "13700000001"
    assert zhao.household.door == "305"
    assert [t.kind for t in zhao.tags.all()] == ["close_contact"]


def test_a_building_number_merged_down_its_rows_applies_to_each_of_them(tree):
    data = xlsx(
        [
            HEADER,
            row(1, building="5栋"),
            row(2, "赵二", building=None),
            row(3, "钱三", building=None),
        ],
        merges=("F2:F4",),
    )
    run(tree, data)
    assert set(
        Person.objects.filter(name__in=["赵一", "赵二", "钱三"]).values_list(
            "household__building__name", flat=True
        )
    ) == {"5栋"}


def test_header_names_as_communities_write_them_are_understood(tree):
    header = [
        "编号",
        "姓名",
        "身份证号码",
        "手机号",
        "楼号",
        "单元",
        "房号",
        "与户主关系",
        "类别",
        "是否独居老人",
    ]
    data = xlsx(
        [header, [1, "孙七", ident(7), "139 0000 7777", "8", "2单元", "1101室", "户主", "", "是"]]
    )
    result = run(tree, data)
    assert counts(result) == (1, 1, 0, 0, 0)
    sun = Person.objects.get(name="孙七")
    assert (sun.phone, sun.relation) == ("13900007777", "户主")
    assert (sun.household.building.name, sun.household.unit, sun.household.door) == (
        "8栋",
        "2",
        "1101",
    )
    assert [t.kind for t in sun.tags.all()] == ["elderly_alone"]


def test_a_two_row_header_with_the_address_over_building_unit_and_door(tree):
    data = xlsx(
        [
            ["序号", "姓名", "身份证号", "住址", None, None],
            [None, None, None, "楼栋", "单元", "门牌号"],
            [1, "周八", ident(8), "9栋", "1", "502"],
        ],
        merges=("A1:A2", "B1:B2", "C1:C2", "D1:F1"),
    )
    result = run(tree, data)
    assert counts(result) == (1, 1, 0, 0, 0)
    household = Person.objects.get(name="周八").household
    assert (household.building.name, household.unit, household.door) == ("9栋", "1", "502")


def test_a_rural_address_makes_one_household_of_its_people(tree):
    header = ["姓名", "身份证号", "家庭住址"]
    data = xlsx([header, ["吴九", ident(9), "上屋组 12号"], ["吴十", ident(10), "上屋组 12号"]])
    run(tree, data)
    a, b = Person.objects.filter(name__in=["吴九", "吴十"])
    assert a.household == b.household and a.household.address == "上屋组 12号"


def test_categories_become_tags_and_an_unknown_category_is_kept_and_reported(tree):
    data = xlsx(
        [
            HEADER,
            row(1, cat="武汉返乡"),
            row(2, "赵二", cat="密切接触者、孕妇"),
            row(3, "钱三", cat="快递员"),
        ]
    )
    result = run(tree, data)
    tags = {
        p.name: sorted((t.kind, t.place, t.label) for t in p.tags.all())
        for p in Person.objects.filter(name__in=["赵一", "赵二", "钱三"])
    }
    assert tags == {
        "赵一": [("returnee", "武汉", "")],
        "赵二": [("close_contact", "", ""), ("pregnant", "", "")],
        "钱三": [("other", "", "快递员")],
    }
    assert result.new_categories == {"快递员": 1}


def test_columns_it_does_not_know_are_kept_with_the_person(tree):
    header = ["姓名", "身份证号", "工作单位", "疫苗接种", "备注"]
    run(tree, xlsx([header, ["郑一", ident(11), "长沙银行", "已接种3针", "行动不便"]]))
    assert (
        Person.objects.get(name="郑一").notes == "行动不便\n工作单位: 长沙银行\n疫苗接种: 已接种3针"
    )


def test_blank_rows_are_skipped_and_not_counted(tree):
    result = run(tree, xlsx([HEADER, row(1), [None] * 10, ["", "", "  "], row(2, "赵二")]))
    assert counts(result) == (2, 2, 0, 0, 0)


def test_each_bad_row_is_rejected_with_its_row_number_and_a_reason(tree):
    bad_check = ident(12)[:-1] + ("0" if ident(12)[-1] != "0" else "1")
    future = make("430102", dt.date.today() + dt.timedelta(days=400), 13)
    data = xlsx(
        [
            ["标题"],
            HEADER,
            row(1),
            [2, "", "男", ident(2), "", "", "", "", "", ""],
            [3, "李三", "男", bad_check, "", "", "", "", "", ""],
            [4, "李四", "男", future, "", "", "", "", "", ""],
            [5, "李五", "男", "4301021985", "", "", "", "", "", ""],
            [6, "李六", "男", ident(1), "", "", "", "", "", ""],
            [7, "李七", "男", ident(14), "12345", "", "", "", "", ""],
        ]
    )
    result = run(tree, data)
    assert counts(result) == (7, 1, 0, 0, 6)
    reasons = {r.number: r.reason for r in result.rejected}
    assert "name is missing" in reasons[4]
    assert "check digit" in reasons[5]
    assert "future" in reasons[6]
    assert "18 characters" in reasons[7]
    assert reasons[8] == "duplicate of row 3 (the same document number)"
    assert "phone" in reasons[9] or "11 digits" in reasons[9]


def test_a_passport_row_is_checked_by_passport_rules_not_id_card_rules(tree):
    header = ["姓名", "证件类型", "证件号码", "出生日期", "性别"]
    data = xlsx(
        [
            header,
            ["John Smith", "护照", "E12345678", "1979-02-03", "男"],
            ["Jane Smith", "护照", "E1", "1980-01-01", "女"],
            ["王小二", "驾驶证", "430102", "", ""],
        ]
    )
    result = run(tree, data)
    assert counts(result) == (3, 1, 0, 0, 2)
    john = Person.objects.get(id_number="E12345678")
    assert (john.id_type, john.birth_on, john.sex) == ("passport", dt.date(1979, 2, 3), "M")
    reasons = [r.reason for r in result.rejected]
    assert "5 to 30 letters or digits" in reasons[0]
    assert "unknown document type 驾驶证" in reasons[1]


def test_an_id_number_excel_turned_into_a_number_is_rejected_as_lost_digits(tree):
    data = xlsx([["姓名", "身份证号"], ["冯一", 430102198504090011]])
    result = run(tree, data)
    assert "lost its last digits" in result.rejected[0].reason


def test_csv_as_excel_saves_it_on_chinese_windows_gb18030(tree):
    data = csv_bytes([["人口台账"], HEADER, row(1, "赵一"), row(2, "䶮二")], encoding="gb18030")
    result = run(tree, data, filename="台账.csv")
    assert counts(result) == (2, 2, 0, 0, 0)
    assert Person.objects.filter(name="䶮二").exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_csv_in_utf8_with_or_without_bom(tree, encoding):
    data = csv_bytes([HEADER, row(1, "赵一")], encoding=encoding)
    assert counts(run(tree, data, filename="a.csv")) == (1, 1, 0, 0, 0)


def test_a_file_covering_several_grids_names_them_in_a_grid_column(tree):
    header = ["网格", "姓名", "身份证号"]
    data = xlsx(
        [
            header,
            ["430102001001001", "甲一", ident(21)],
            ["红星第1网格", "甲二", ident(22)],
            ["芷园第1网格", "甲三", ident(23)],
            ["", "甲四", ident(24)],
        ]
    )
    result = run(tree, data, region=tree.community_a)
    assert counts(result) == (4, 2, 0, 0, 2)
    assert set(Person.objects.filter(name__in=["甲一", "甲二"]).values_list("grid", flat=True)) == {
        tree.grid_a.pk
    }
    reasons = [r.reason for r in result.rejected]
    assert "unknown grid 芷园第1网格" in reasons[0]
    assert "网格 is empty" in reasons[1]


def test_a_community_without_a_grid_column_is_refused_as_a_whole(tree):
    with pytest.raises(LedgerInvalid, match="no 网格 column"):
        run(tree, xlsx([HEADER, row(1)]), region=tree.community_a)
    assert not Person.objects.filter(name="赵一").exists()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "a.csv", "empty"),
        (b"%PDF-1.4 binary\x00\x01", "a.pdf", "not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "a.xls", "Excel 97-2003"),
        (b"PK\x03\x04broken", "a.xlsx", "not a readable .xlsx"),
        ("姓名,电话\n张三,138".encode(), "a.csv", "no header row found"),
    ],
)
def test_a_file_that_is_not_a_ledger_gets_one_clear_error_and_writes_nothing(
    tree, data, filename, message
):
    before = Person.objects.count()
    with pytest.raises(LedgerInvalid, match=message) as err:
        run(tree, data, filename=filename)
    if message == "no header row found":
        assert "身份证号" in str(err.value) and "姓名" in str(err.value)
    assert Person.objects.count() == before


def test_a_person_registered_outside_the_users_area_is_refused_not_moved(tree, people):
    data = xlsx([["姓名", "身份证号"], [tree.person_b.name, tree.person_b.id_number]])
    result = run(tree, data, scope=scope_of(people.grid_a), user=people.grid_a)
    assert counts(result) == (1, 0, 0, 0, 1)
    assert "outside your area" in result.rejected[0].reason
    tree.person_b.refresh_from_db()
    assert tree.person_b.grid == tree.grid_b


def test_a_person_already_registered_is_matched_by_document_and_updated(tree):
    a = tree.person_a
    data = xlsx([["姓名", "身份证号", "联系电话"], [a.name, a.id_number, "13600000000"]])
    result = run(tree, data)
    assert counts(result) == (1, 0, 1, 0, 0)
    a.refresh_from_db()
    assert a.phone == "13600000000"
    assert a.household == tree.household_a  # no address in the row: the household stays


def test_the_import_is_audited_with_its_summary(tree, people):
    run(tree, xlsx([HEADER, row(1)]), user=people.grid_a, scope=scope_of(people.grid_a))
    entry = AuditEntry.objects.get(action="import")
    assert entry.user == people.grid_a
    assert entry.detail["created"] == 1 and entry.detail["file"] == "台账.xlsx"


def test_the_rejects_file_holds_exactly_the_refused_rows_in_the_same_columns(tree):
    data = xlsx([["标题"], HEADER, row(1), [2, "", "男", ident(2)] + [""] * 6, row(3, "钱三")])
    result = run(tree, data)
    out = io.BytesIO()
    write_rejects(result, out)
    rows = read_xlsx(out.getvalue())
    assert rows[0] == HEADER + ["错误原因"]
    assert len(rows) == 2
    assert rows[1][3] == ident(2) and "name is missing" in rows[1][-1]


def test_a_fixed_rejects_file_imports_cleanly_and_its_reason_column_is_ignored(tree):
    result = run(tree, xlsx([HEADER, [2, "", "男", ident(2)] + [""] * 6]))
    out = io.BytesIO()
    write_rejects(result, out)
    rows = read_xlsx(out.getvalue())
    rows[1][1] = "钱二"
    again = run(tree, xlsx(rows))
    assert counts(again) == (1, 1, 0, 0, 0)
    assert Person.objects.get(name="钱二").notes == ""


def test_csv_rejects_keep_the_inputs_encoding(tree):
    data = csv_bytes([HEADER, [1, "", "男", ident(1)] + [""] * 6], encoding="gb18030")
    result = run(tree, data, filename="a.csv")
    out = io.BytesIO()
    write_rejects(result, out)
    text = out.getvalue().decode("gb18030")
    assert text.splitlines()[0].endswith("错误原因")


def test_buildings_and_households_already_registered_are_reused(tree):
    data = xlsx([HEADER, row(1, building="1栋", unit="1", door="101")])
    before = (Building.objects.count(), Household.objects.count())
    run(tree, data)
    assert (Building.objects.count(), Household.objects.count()) == before
    assert Person.objects.get(name="赵一").household == tree.household_a
