"""Where buildings stand: a CSV loaded whole or not at all, each wrong row saying why."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from fangkong.assistance.models import BuildingPoint
from fangkong.assistance.services.points import load_points


def test_points_load_and_load_again_to_the_same(tree, tmp_path):
    f = tmp_path / "points.csv"
    f.write_text(
        f"楼栋ID,纬度,经度\n{tree.building_a.pk},28.2,112.98\n{tree.building_b.pk},28.21,112.99\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("assistance", "points", str(f), "--json", stdout=out)
    assert json.loads(out.getvalue().splitlines()[-1]) == {"points": 2, "rejected": 0}
    call_command("assistance", "points", str(f), stdout=StringIO())
    assert BuildingPoint.objects.count() == 2
    assert BuildingPoint.objects.get(building=tree.building_a).lat == 28.2


def test_a_wrong_row_stores_nothing_and_says_why(tree, tmp_path):
    f = tmp_path / "points.csv"
    f.write_text(
        f"building,lat,lon\n{tree.building_a.pk},95,112.98\nabc,28,112\n999999,28,112\n",
        encoding="utf-8",
    )
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("assistance", "points", str(f), stdout=out)
    text = out.getvalue()
    assert "line 2: latitude" in text and "line 3: building" in text and "999999" in text
    assert BuildingPoint.objects.count() == 0


def test_a_file_without_the_columns_is_refused(tree):
    result = load_points(b"name,x\n1,2\n")
    assert result.points == 0 and "building" in result.rejected[0][1]


@given(st.binary(max_size=300))
def test_any_bytes_are_answered_not_crashed(data):
    result = load_points(data)
    assert result.points == 0 or not result.rejected
