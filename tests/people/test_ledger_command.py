"""`fangkong import residents`: the summary line, the rejects file, and all-or-nothing."""

import csv
import datetime as dt
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fangkong.common.idnumbers import make
from fangkong.common.spreadsheets import read_table
from fangkong.people.ledger import ALIASES, Col, header_key
from fangkong.people.models import Person
from fangkong.people.services import import_ledger

from .ledgers import HEADER, csv_bytes, ident, read_xlsx, xlsx


def summary_of(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_the_command_prints_the_json_summary_and_writes_the_rejects_beside_the_file(
    tree, tmp_path, capsys
):
    path = tmp_path / "红星台账.xlsx"
    path.write_bytes(
        xlsx([["标题"], HEADER, [1, "赵一", "男", ident(1)], [2, "", "男", ident(2)], [None]])
    )
    call_command("import", "residents", str(path), "--grid", tree.grid_a.code, "--json")
    summary = summary_of(capsys)
    rejects = tmp_path / "红星台账-rejects.xlsx"
    assert summary == {
        "read": 2,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
        "rejects_file": str(rejects),
    }
    rows = read_xlsx(rejects.read_bytes())
    assert [r[1] for r in rows] == ["姓名", ""] and rows[0][-1] == "错误原因"
    call_command("import", "residents", str(path), "--grid", tree.grid_a.code, "--json")
    assert summary_of(capsys)["unchanged"] == 1


def test_a_clean_file_has_no_rejects_file(tree, tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([HEADER, [1, "赵一", "男", ident(1)]], encoding="gb18030"))
    call_command("import", "residents", str(path), "--grid", tree.grid_a.code, "--json")
    assert summary_of(capsys)["rejects_file"] is None
    assert not (tmp_path / "a-rejects.csv").exists()


def test_a_rejects_file_that_cannot_be_written_leaves_nothing_saved_and_says_why(tree, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([HEADER, [1, "赵一", "男", ident(1)], [2, "", "男", ident(2)]]))
    nowhere = tmp_path / "no-such-dir" / "a-rejects.csv"
    with pytest.raises(CommandError, match="could not be written.*nothing was saved"):
        call_command(
            "import", "residents", str(path), "--grid", tree.grid_a.code, "--rejects", str(nowhere)
        )
    assert not Person.objects.filter(name="赵一").exists()


def test_the_command_refuses_a_file_that_is_not_a_ledger_with_one_message(tree, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("日期,内容\n1月28日,开会\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no header row found"):
        call_command("import", "residents", str(path), "--grid", tree.grid_a.code)


def test_the_command_needs_a_known_grid(tree, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([HEADER]))
    with pytest.raises(CommandError, match="--grid"):
        call_command("import", "residents", str(path))
    with pytest.raises(CommandError, match="no region with code 999"):
        call_command("import", "residents", str(path), "--grid", "999")


CELL = st.one_of(
    st.just(""),
    st.sampled_from(["赵一", "钱二", " ", "男", "3栋", "密切接触者", "13812345678", "x"]),
    st.integers(0, 60).map(lambda n: ident(n % 1000)),
    st.integers(0, 9).map(lambda n: make("430102", dt.date(1990, 1, 1), n)[:-1] + "0"),
    st.text(max_size=6),
)


def _names_the_header(row: list[str]) -> bool:
    """A row whose name cell reads as the header (`' 姓名'`, `'姓　名'`, `'NAME'`) is the header
    repeated, as pasted tables have it: not a person, not counted."""
    return bool(row) and header_key(row[0]) in ALIASES[Col.NAME]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(st.lists(CELL, min_size=0, max_size=6), max_size=25))
@example(rows=[[" 姓名"]])  # found by hypothesis: the header repeated, with a space
@example(rows=[["'"], ['="姓名"']])  # Excel's text marks around nothing, around the header
@example(rows=[["姓\u3000名", "身份证号"], ["ＮＡＭＥ"], ["赵一", ident(1)]])
def test_the_counts_always_add_up_to_the_rows_read(tree, rows):
    data = csv_bytes([["姓名", "身份证号", "性别", "楼栋", "人员类别", "联系电话"], *rows])
    result = import_ledger(data=data, filename="p.csv", region=tree.grid_a)
    # Counted on the cells as read: the reader undoes Excel's text marks (`'0430…`, `="0430…"`).
    as_read = read_table(data, "p.csv").rows[1:]
    nonblank = sum(1 for r in as_read if any(c.strip() for c in r) and not _names_the_header(r))
    assert result.read == nonblank
    assert result.created + result.updated + result.unchanged + len(result.rejected) == result.read
    again = import_ledger(data=data, filename="p.csv", region=tree.grid_a)
    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged == result.created + result.updated + result.unchanged


FANGKONG = str(Path(sys.executable).with_name("fangkong"))


def _big_ledger(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "身份证号", "联系电话", "楼栋", "单元", "门牌号"])
        for i in range(n):
            born = dt.date(1950, 1, 1) + dt.timedelta(days=i // 900)
            w.writerow(
                [f"居民{i}", make("430102", born, i % 900 + 1), "", f"{i % 40}栋", "1", i % 97]
            )


def _database_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (
            f"postgres://{settings['USER']}@{settings['HOST'] or 'localhost'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
        subprocess.run(
            [FANGKONG, "manage", "migrate", "-v0"],
            env=env,
            check=True,
        )
    return env


def _fangkong(env, *args, **kw):
    return subprocess.Popen([FANGKONG, *args], env=env, **kw)


def _count(env) -> str:
    out = subprocess.run(
        [
            FANGKONG,
            "manage",
            "shell",
            "-c",
            "from fangkong.people.models import Person; print(Person.objects.count())",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_while_writing_leaves_the_database_as_it_was(tmp_path):
    env = _database_env(tmp_path)
    regions = tmp_path / "regions.csv"
    regions.write_text(
        "code,name,parent_code,level\n430000,湖南省,,province\n430100,长沙市,430000,city\n"
        "430102,芙蓉区,430100,district\n430102001000,新华街道,430102,street\n"
        "430102001001,红星社区,430102001000,community\n"
        "430102001001001,红星第1网格,430102001001,grid\n",
        encoding="utf-8",
    )
    subprocess.run(
        [FANGKONG, "import", "regions", str(regions)],
        env=env,
        check=True,
        capture_output=True,
    )
    small = tmp_path / "small.csv"
    _big_ledger(small, 3)
    subprocess.run(
        [FANGKONG, "import", "residents", str(small), "--grid", "430102001001001"],
        env=env,
        check=True,
        capture_output=True,
    )
    before = _count(env)
    assert before == "3"
    ledger = tmp_path / "big.csv"
    _big_ledger(ledger, 60_000)
    proc = _fangkong(
        env,
        "import",
        "residents",
        str(ledger),
        "--grid",
        "430102001001001",
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("checked 20000 of 60000"):  # the first chunk is written, not committed
            proc.send_signal(signal.SIGKILL)
            break
    assert proc.wait(timeout=120) == -signal.SIGKILL, "the import finished before the kill"
    assert _count(env) == before
