"""`fangkong import checkins` and `fangkong escalate`."""

import datetime as dt
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fangkong.health.models import Alert, CheckIn
from fangkong.health.services import CheckInData, record_check_ins


def test_checkins_from_another_systems_csv_are_imported_once(tree, tmp_path, capsys):
    path = tmp_path / "测温.csv"
    path.write_text(
        "证件号码,体温,测量时间,症状\n"
        f"{tree.person_a.id_number},36.5,2026-11-24 08:00,\n"
        f"{tree.person_b.id_number},38.1,2026-11-24 08:05,咳嗽、乏力\n"
        "430102199901010000,36.5,,\n"
        f"{tree.child_a.id_number},45,,\n",
        encoding="gb18030",
    )
    call_command("import", "checkins", str(path), "--json")
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary == {"read": 4, "created": 2, "duplicates": 0, "rejected": 2}
    assert CheckIn.objects.get(person=tree.person_b).symptoms == ["cough", "fatigue"]
    assert Alert.objects.get().person == tree.person_b
    call_command("import", "checkins", str(path), "--json")
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (again["created"], again["duplicates"]) == (0, 2)


def test_a_file_without_the_columns_is_refused(tree, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("姓名,电话\n张三,138\n", encoding="utf-8")
    with pytest.raises(CommandError, match="体温"):
        call_command("import", "checkins", str(path))


def test_escalate_moves_overdue_alerts_up(tree, capsys):
    record_check_ins(
        items=[
            CheckInData(
                uuid.uuid4(), tree.person_a.pk, "38.8", timezone.now() - dt.timedelta(hours=1)
            )
        ],
        persons={tree.person_a.pk: tree.person_a.region_path},
    )
    Alert.objects.update(deadline_at=timezone.now() - dt.timedelta(minutes=1))
    call_command("escalate")
    assert "escalated 1 alerts" in capsys.readouterr().out
    assert Alert.objects.get().level == "community"
