import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from fangkong.regions.models import Region
from fangkong.regions.services import import_regions

ROWS = [
    # children may come before their parents
    {"code": "430102001000", "name": "新华街道", "parent_code": "430102", "level": "street"},
    {"code": "430000", "name": "湖南省", "parent_code": "", "level": "province"},
    {"code": "430100", "name": "长沙市", "parent_code": "430000", "level": "city"},
    {"code": "430102", "name": "芙蓉区", "parent_code": "430100", "level": "district"},
    {
        "code": "430102001001",
        "name": "红星社区",
        "parent_code": "430102001000",
        "level": "community",
    },
    {"code": "430102001001001", "name": "第1网格", "parent_code": "430102001001", "level": "grid"},
]


def test_it_builds_the_tree_with_materialised_paths(db):
    result = import_regions(rows=ROWS)
    assert (result.created, result.rejected) == (6, [])
    grid = Region.objects.get(code="430102001001001")
    assert grid.path == "430000/430100/430102/430102001000/430102001001/430102001001001/"
    assert grid.depth == 5
    under_street = Region.objects.filter(path__startswith="430000/430100/430102/430102001000/")
    assert under_street.count() == 3


def test_reimporting_renames_and_never_duplicates(db):
    import_regions(rows=ROWS)
    renamed = [dict(r) for r in ROWS]
    renamed[1]["name"] = "湖南"
    result = import_regions(rows=renamed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 5)
    assert Region.objects.count() == 6
    assert Region.objects.get(code="430000").name == "湖南"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            {"code": "430103", "name": "天心区", "parent_code": "439999", "level": "district"},
            "parent 439999 is unknown",
        ),
        (
            {"code": "4301", "name": "短", "parent_code": "430100", "level": "district"},
            "must be 6 digits",
        ),
        (
            {"code": "430103", "name": "", "parent_code": "430100", "level": "district"},
            "name is missing",
        ),
        (
            {"code": "430103", "name": "天心区", "parent_code": "430100", "level": "county"},
            "unknown level",
        ),
        (
            {"code": "430102001001002", "name": "格", "parent_code": "430102", "level": "grid"},
            "cannot be under a district",
        ),
        (
            {
                "code": "430102001002001",
                "name": "格",
                "parent_code": "430102001001",
                "level": "grid",
            },
            "must start with its community's code",
        ),
    ],
)
def test_a_bad_row_is_reported_with_its_reason_and_the_rest_imported(db, row, reason):
    result = import_regions(rows=[*ROWS, row])
    assert result.created == 6
    [(row_no, code, message)] = result.rejected
    assert row_no == 8 and code == row["code"]
    assert reason in message


def test_a_duplicate_row_in_one_file_is_named(db):
    result = import_regions(rows=[*ROWS, ROWS[1]])
    assert result.rejected == [(8, "430000", "duplicate of row 3")]


def test_moving_a_region_is_refused_not_done_silently(db):
    import_regions(rows=ROWS)
    street2 = {"code": "430102002000", "name": "东湖街道", "parent_code": "430102"}
    moved = {"code": "430102001001", "name": "红星社区", "parent_code": "430102002000"}
    result = import_regions(rows=[{**street2, "level": "street"}, {**moved, "level": "community"}])
    assert result.created == 1
    assert "another parent" in result.rejected[0][2]
    assert Region.objects.get(code="430102001001").parent.code == "430102001000"


def _write_csv(path, rows, encoding="utf-8-sig"):
    lines = ["code,name,parent_code,level"]
    lines += [f"{r['code']},{r['name']},{r['parent_code']},{r['level']}" for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_the_command_reads_csv_as_excel_saves_it_and_prints_json(db, tmp_path, capsys, encoding):
    path = _write_csv(tmp_path / "regions.csv", ROWS, encoding)
    call_command("import", "regions", str(path), "--json")
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary == {"read": 6, "created": 6, "updated": 0, "unchanged": 0, "rejected": 0}
    assert Region.objects.get(code="430102").name == "芙蓉区"


def test_a_file_without_the_columns_is_refused_whole(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("编码,名称\n430000,湖南省\n", encoding="utf-8")
    with pytest.raises(CommandError, match="code, name, parent_code, level"):
        call_command("import", "regions", str(path))
    assert Region.objects.count() == 0


# --- properties -----------------------------------------------------------------------------

LEVEL_CODES = {
    "province": ["430000"],
    "city": ["430100"],
    "district": ["430102", "430103"],
    "street": ["430102001000", "430103001000"],
    "community": ["430102001001", "430103001001"],
    "grid": ["430102001001001", "430103001001001", "430102001001002"],
}
PARENTS = {
    c: p
    for c, p in [
        ("430100", "430000"),
        ("430102", "430100"),
        ("430103", "430100"),
        ("430102001000", "430102"),
        ("430103001000", "430103"),
        ("430102001001", "430102001000"),
        ("430103001001", "430103001000"),
        ("430102001001001", "430102001001"),
        ("430103001001001", "430103001001"),
        ("430102001001002", "430102001001"),
    ]
}

rows = st.lists(
    st.one_of(
        st.sampled_from([(lv, c) for lv, cs in LEVEL_CODES.items() for c in cs]).map(
            lambda lc: {
                "code": lc[1],
                "name": f"名{lc[1][-3:]}",
                "level": lc[0],
                "parent_code": PARENTS.get(lc[1], ""),
            }
        ),
        st.fixed_dictionaries(
            {
                "code": st.text("0123456789x", max_size=16),
                "name": st.text(max_size=5),
                "level": st.sampled_from(["grid", "street", "county", ""]),
                "parent_code": st.text("0123456789", max_size=7),
            }
        ),
    ),
    max_size=12,
)


class TestImportProperties(HypothesisTestCase):
    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows)
    def test_every_row_is_accounted_for_and_a_second_import_creates_nothing(self, data):
        first = import_regions(rows=data)
        read = len([r for r in data if any((v or "").strip() for v in r.values())])
        assert first.read == read
        assert first.created + first.updated + first.unchanged + len(first.rejected) == read
        count = Region.objects.count()
        second = import_regions(rows=data)
        assert second.created == 0 and Region.objects.count() == count
        for region in Region.objects.select_related("parent"):
            expected = (region.parent.path if region.parent else "") + region.code + "/"
            assert region.path == expected
