"""Street codes in either standard (9-digit GB/T 10114 or 12-digit statistical) are one street."""

import json

from django.core.management import call_command
from hypothesis import given

from fangkong.common.scope import NOBODY, reach_of
from fangkong.regions.codes import canonical_code
from fangkong.regions.models import Region
from fangkong.regions.selectors import region_or_404
from fangkong.regions.services import import_regions

from ..strategies import region_codes, typed_variants

TOP = [
    {"code": "420000", "name": "湖北省", "parent_code": "", "level": "province"},
    {"code": "420300", "name": "十堰市", "parent_code": "420000", "level": "city"},
    {"code": "420322", "name": "郧西县", "parent_code": "420300", "level": "district"},
]
TOWNSHIP = {"code": "420322100", "name": "城关镇", "parent_code": "420322", "level": "street"}
VILLAGE = {
    "code": "420322100003",
    "name": "三官洞村",
    "parent_code": "420322100",
    "level": "community",
}
GRID = {
    "code": "420322100003001",
    "name": "第1网格",
    "parent_code": "420322100003",
    "level": "grid",
}


def test_a_nine_digit_township_code_is_accepted_and_stored_padded_to_twelve(db):
    result = import_regions(rows=[*TOP, TOWNSHIP, VILLAGE, GRID])
    assert (result.created, result.rejected) == (6, [])
    street = Region.objects.get(code="420322100000")
    assert street.path == "420000/420300/420322/420322100000/"
    village = Region.objects.get(code="420322100003")
    assert village.parent == street
    assert Region.objects.get(code="420322100003001").parent == village


def test_a_community_finds_its_township_by_its_own_code_when_the_parent_is_left_blank(db):
    result = import_regions(rows=[*TOP, TOWNSHIP, {**VILLAGE, "parent_code": ""}])
    assert result.rejected == []
    assert Region.objects.get(code="420322100003").parent.code == "420322100000"


def test_the_nine_and_twelve_digit_forms_are_one_street_on_a_second_import(db):
    import_regions(rows=[*TOP, TOWNSHIP])
    again = import_regions(rows=[{**TOWNSHIP, "code": "420322100000"}])
    assert (again.created, again.unchanged) == (0, 1)
    both = import_regions(rows=[TOWNSHIP, {**TOWNSHIP, "code": "420322100000"}])
    assert both.rejected == [(3, "420322100000", "duplicate of row 2")]
    assert Region.objects.filter(level="street").count() == 1


def test_only_a_street_may_be_written_with_nine_digits(db):
    result = import_regions(rows=[*TOP, TOWNSHIP, {**VILLAGE, "code": "420322101"}])
    [(_row, code, reason)] = result.rejected
    assert code == "420322101" and "12 digits" in reason


def test_a_wrong_street_code_says_both_lengths_are_allowed(db):
    result = import_regions(rows=[*TOP, {**TOWNSHIP, "code": "4203221"}])
    [(_row, _code, reason)] = result.rejected
    assert "9 digits" in reason and "12" in reason


def test_codes_typed_full_width_are_imported_as_ascii(db):
    rows = [*TOP, {**TOWNSHIP, "code": "４２０３２２１００", "parent_code": "４２０３２２"}]
    assert import_regions(rows=rows).rejected == []
    assert Region.objects.filter(code="420322100000").exists()


def test_the_command_imports_a_county_list_with_township_codes(db, tmp_path, capsys):
    path = tmp_path / "regions.csv"
    lines = ["code,name,parent_code,level"]
    lines += [
        f"{r['code']},{r['name']},{r['parent_code']},{r['level']}"
        for r in [*TOP, TOWNSHIP, VILLAGE]
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    call_command("import", "regions", str(path), "--json")
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["created"], summary["rejected"]) == (5, 0)


def test_a_street_is_found_by_its_nine_digit_code(db, tree, people, login):
    found = region_or_404(reach_of(people.hq), "430102001")
    assert found == tree.street
    answer = login(people.hq).get("/api/v1/regions/430102001")
    assert answer.status_code == 200 and answer.json()["code"] == "430102001000"
    children = login(people.hq).get("/api/v1/regions", {"parent": "430102001"}).json()
    assert {r["code"] for r in children["items"]} == {"430102001001", "430102001002"}


def test_the_tree_reads_where_a_user_stands_without_knowing_roles(db, tree, people):
    assert reach_of(people.grid_a).path == tree.grid_a.path
    assert reach_of(people.outsider).path is None
    assert reach_of(None) is NOBODY


@given(typed_variants(region_codes()))
def test_any_typed_form_of_a_stored_code_is_that_code(pair):
    canonical, raw = pair
    assert canonical_code(raw) == canonical
