"""`fangkong beds ...`: facilities, operators, pickup points, limits and the waiting list from
the command line, each refusal saying what is allowed."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from fangkong.beds.models import BedStock, Facility, Operator


def _json(capsys, *args):
    call_command("beds", *args, "--json")
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_a_facility_is_created_then_changed_by_its_code(tree, people, capsys):
    args = ["facility", "H9", "--name", "第九医院", "--kind", "designated", "--region", "430102"]
    out = _json(capsys, *args, "--lat", "28.2", "--lon", "112.9", "--beds", "icu=4,ward=30")
    assert out["beds"] == {"icu": 4, "ward": 30}
    _json(capsys, *args, "--lat", "28.2", "--lon", "112.9", "--beds", "ward=40", "--dialysis")
    assert BedStock.objects.get(facility__code="H9", bed_type="ward").capacity == 40
    assert Facility.objects.get(code="H9").dialysis
    assert _json(capsys, "operator", "H9", "--user", "hospital") == {
        "facility": "H9",
        "operator": "hospital",
    }
    assert Operator.objects.get(user=people.hospital).facility.code == "H9"


def test_bad_input_says_what_is_allowed(tree, people):
    with pytest.raises(CommandError, match="TYPE one of icu, ward, fangcang, quarantine"):
        call_command(
            "beds",
            "facility",
            "H9",
            "--name",
            "x",
            "--kind",
            "designated",
            "--region",
            "430102",
            "--lat",
            "1",
            "--lon",
            "1",
            "--beds",
            "gym=3",
        )
    with pytest.raises(CommandError, match="holds only"):
        call_command(
            "beds",
            "facility",
            "H9",
            "--name",
            "x",
            "--kind",
            "quarantine",
            "--region",
            "430102",
            "--lat",
            "1",
            "--lon",
            "1",
            "--beds",
            "icu=3",
        )
    with pytest.raises(CommandError, match="no facility with code H9"):
        call_command("beds", "operator", "H9", "--user", "hospital")


def test_only_a_hospital_account_operates_a_facility(beds, people):
    with pytest.raises(CommandError, match="no hospital operator account warehouse"):
        call_command("beds", "operator", "FR01", "--user", "warehouse")


def test_pickup_points_rules_and_the_waiting_list(beds, tree, capsys):
    assert (
        _json(capsys, "pickup", "430102", "--name", "芙蓉区", "--lat", "28.2", "--lon", "113")[
            "region"
        ]
        == "430102"
    )
    assert _json(capsys, "rule", "430102", "--stale-minutes", "60")["stale_minutes"] == 60
    assert _json(capsys, "waiting") == {"new": 2}
    assert _json(capsys, "waiting") == {"new": 0}  # a second run adds nobody
