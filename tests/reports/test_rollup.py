"""A province adds up its cities' report JSON: no name or id leaves a city."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook

from fangkong.reports.rollup import RollupRefused, check_report

from .conftest import DAY


def _report(tmp_path, code: str, day: dt.date = DAY):
    """What ``fangkong report daily -o FILE.json`` writes for a region (a 'city' here)."""
    out = tmp_path / f"{code}-{day}.json"
    call_command("report", "daily", "--region", code, "--on", day.isoformat(), "-o", str(out))
    return out


def _rollup(capsys, *args):
    capsys.readouterr()
    call_command("report", "rollup", *map(str, args), "--json")
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _figures(report, section="health"):
    return {f["key"]: f for s in report["sections"] if s["key"] == section for f in s["figures"]}


def test_two_districts_add_up_to_their_city(city, tmp_path, capsys):
    files = [_report(tmp_path, "430102"), _report(tmp_path, "430103")]
    whole = _rollup(capsys, *files, "--name", "长沙（两区）")
    alone = json.loads(_report(tmp_path, "430100").read_text("utf-8"))
    assert (whole["region"]["name"], whole["day"]) == ("长沙（两区）", DAY.isoformat())
    for section in ("registry", "health"):
        summed, counted = _figures(whole, section), _figures(alone, section)
        assert {
            k: (f["today"], f["yesterday"], f["change"], f["trend"]) for k, f in summed.items()
        } == {k: (f["today"], f["yesterday"], f["change"], f["trend"]) for k, f in counted.items()}
    health = next(s for s in whole["sections"] if s["key"] == "health")
    assert [(r["code"], r["name"], r["values"]["due"]) for r in health["rows"]] == [
        ("430102", "芙蓉区", 2),
        ("430103", "天心区", 0),
    ]
    assert [c["code"] for c in whole["cities"]] == ["430102", "430103"]
    assert _figures(whole)["reported"]["share"] == 0.5  # 1 of 2 due
    assert {i["region_name"] for i in health["outstanding"]} >= {"芙蓉区 红星第1网格"}


def test_a_share_is_recomputed_from_the_summed_counts_never_averaged(city, tmp_path, capsys):
    first, second = _report(tmp_path, "430102"), _report(tmp_path, "430103")
    report = json.loads(second.read_text("utf-8"))
    for f in next(s for s in report["sections"] if s["key"] == "health")["figures"]:
        if f["key"] in ("due", "reported"):  # 9 of 10 due reported there; 1 of 2 here
            f["today"] = {"due": 10, "reported": 9}[f["key"]]
            f["trend"][-1], f["change"] = f["today"], f["today"] - f["yesterday"]
    second.write_text(json.dumps(report, ensure_ascii=False), "utf-8")
    reported = _figures(_rollup(capsys, first, second))["reported"]
    assert reported["today"] == 10
    assert reported["share"] == round(10 / 12, 6)  # not (0.5 + 0.9) / 2 = 0.7


def test_the_roll_up_writes_excel_and_word_with_a_row_per_city(city, tmp_path):
    files = [_report(tmp_path, "430102"), _report(tmp_path, "430103")]
    call_command(
        "report", "rollup", *map(str, files), "--name", "湖南省", "-o", str(tmp_path / "p.xlsx")
    )
    sheet = load_workbook(tmp_path / "p.xlsx")["Health"]
    cells = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert cells["芙蓉区"][0] == 2 and cells["天心区"][0] == 0
    call_command(
        "report", "rollup", *map(str, files), "--name", "湖南省", "-o", str(tmp_path / "p.docx")
    )
    document = Document(str(tmp_path / "p.docx"))
    assert "湖南省" in document.paragraphs[0].text
    region_rows = [t for t in document.tables if t.rows[0].cells[0].text == "Region below"]
    assert [r.cells[0].text for r in region_rows[0].rows[1:]] == ["芙蓉区", "天心区"]


def test_reports_of_different_days_are_refused_naming_the_file(city, tmp_path):
    earlier = _report(tmp_path, "430103", DAY - dt.timedelta(days=1))
    files = [_report(tmp_path, "430102"), earlier]
    with pytest.raises(
        CommandError, match=f"{earlier}: the report of {DAY - dt.timedelta(days=1)}"
    ):
        call_command("report", "rollup", *map(str, files))


def test_reports_with_other_figures_are_refused_saying_which(city, tmp_path):
    first, second = _report(tmp_path, "430102"), _report(tmp_path, "430103")
    report = json.loads(second.read_text("utf-8"))
    health = next(s for s in report["sections"] if s["key"] == "health")
    health["figures"] = [f for f in health["figures"] if f["key"] != "turned_back"]
    for row in health["rows"]:
        row["values"].pop("turned_back")
    second.write_text(json.dumps(report, ensure_ascii=False), "utf-8")
    with pytest.raises(CommandError, match="section health differs .* in figures turned_back"):
        call_command("report", "rollup", str(first), str(second))
    report["sections"] = report["sections"][1:]
    second.write_text(json.dumps(report, ensure_ascii=False), "utf-8")
    with pytest.raises(CommandError, match="sections health, .* has registry, health"):
        call_command("report", "rollup", str(first), str(second))


def test_the_same_region_twice_is_refused(city, tmp_path):
    first = _report(tmp_path, "430102")
    copy = tmp_path / "copy.json"
    copy.write_text(first.read_text("utf-8"), "utf-8")
    with pytest.raises(CommandError, match="region 430102 again"):
        call_command("report", "rollup", str(first), str(copy))


@pytest.mark.parametrize(
    ("where", "extra"),
    [
        ("figure", {"link": {"url": "/people/12/", "cap": "people_view"}}),
        ("item", {"person_id": 12}),
        ("item", {"names": ["张伟"]}),
        ("top", {"people": [{"name": "张伟", "id_number": "430102199001011234"}]}),
    ],
)
def test_a_file_carrying_names_ids_or_links_is_refused(city, tmp_path, where, extra):
    first, second = _report(tmp_path, "430102"), _report(tmp_path, "430103")
    report = json.loads(first.read_text("utf-8"))
    health = next(s for s in report["sections"] if s["key"] == "health")
    target = {"figure": health["figures"][0], "top": report}.get(where)
    if where == "item":
        health["outstanding"] = [
            {"kind": "x", "label": "x", "region_code": "1", "region_name": "x", "count": 1}
        ]
        target = health["outstanding"][0]
    target.update(extra)
    first.write_text(json.dumps(report, ensure_ascii=False), "utf-8")
    with pytest.raises(CommandError, match=f"{first}: .* which a report does not carry"):
        call_command("report", "rollup", str(first), str(second))


def test_what_leaves_a_city_holds_no_name_or_id(city, tmp_path):
    text = _report(tmp_path, "430100").read_text("utf-8")
    check_report("city", json.loads(text))
    for person in ("张伟", "李娜", "张小明", "王芳"):
        assert person not in text
    assert "/people/" not in text and "link" not in text


def test_a_file_that_is_not_a_report_is_refused(city, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", "utf-8")
    with pytest.raises(CommandError, match="bad.json: not a report's JSON"):
        call_command("report", "rollup", str(bad))
    bad.write_text(json.dumps({"format": 1, "region": {}, "day": "x", "as_of": "x"}), "utf-8")
    with pytest.raises(CommandError, match="lacks sections"):
        call_command("report", "rollup", str(bad))
    with pytest.raises(RollupRefused, match="not a whole number"):
        check_report(
            "r",
            {
                "format": 1,
                "region": {"code": "1", "name": "x", "level": "city"},
                "day": "2022-04-01",
                "as_of": "2022-04-02T00:00:00+08:00",
                "sections": [
                    {
                        "key": "s",
                        "title": "s",
                        "figures": [_figure("n")],
                        "rows": [{"code": "1", "name": "x", "level": "x", "values": {"n": "张伟"}}],
                        "outstanding": [],
                    }
                ],
            },
        )


def _figure(key: str, today: int = 0, **kw):
    return {
        "key": key,
        "label": key,
        "unit": "人",
        "note": "",
        "of": "",
        "in_rows": True,
        "today": today,
        "yesterday": 0,
        "change": today,
        "trend": [0] * 6 + [today],
        **kw,
    }


def _tampered(file, change) -> None:
    report = json.loads(file.read_text("utf-8"))
    change(report, next(s for s in report["sections"] if s["key"] == "health"))
    file.write_text(json.dumps(report, ensure_ascii=False), "utf-8")


def _figure_of(section, key):
    return next(f for f in section["figures"] if f["key"] == key)


def _two_cities_of(r, health):
    r["cities"] = [
        {"code": "430103", "name": "天心区", "as_of": r["as_of"], "version": None},
        {"code": "430104", "name": "岳麓区", "as_of": r["as_of"], "version": None},
    ]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        # a person as the name of a row's column, or inside a label, a note, a title
        (
            lambda r, h: h["rows"][0]["values"].update({"张伟 430102194003080011": 1}),
            "values: not the section's columns",
        ),
        (lambda r, h: h["figures"][0].update(note=["张伟", "13812345678"]), "note: list where"),
        (lambda r, h: h.update(title={"name": "张伟"}), "title: dict where"),
        (lambda r, h: r["region"].update(name={"name": "张伟"}), "region.name: dict where"),
        (
            lambda r, h: h["outstanding"][0].update(label=["张伟"]),
            r"outstanding\[0\].label: list where",
        ),
        # figures edited by hand: negative, not adding up, past 100 %
        (lambda r, h: _figure_of(h, "due").update(today=-5), "-5 is not a count"),
        (lambda r, h: h["rows"][0]["values"].update(due=-3), "-3 is not a count"),
        (lambda r, h: _figure_of(h, "due").update(change=99), "change: 99 is not today less"),
        (lambda r, h: _figure_of(h, "due").update(trend=[1, 2]), "trend: not 7 days"),
        (lambda r, h: _figure_of(h, "due").update(trend=5), "trend: not a list"),
        (lambda r, h: _figure_of(h, "due").update(of="nope"), "a share of no figure"),
        (
            lambda r, h: h["rows"][0]["values"].update(reported=50),
            r"values.reported: 50 out of 2 passes 100 %",
        ),
        # another layout: format, day, moment, a section twice
        (lambda r, h: r.update(format=True), "report format True"),
        (lambda r, h: r.update(format="1"), "report format '1'"),
        (lambda r, h: r.update(as_of="yesterday"), "as_of: 'yesterday' is not a datetime"),
        (lambda r, h: r.update(day="2022-02-30"), "day: '2022-02-30' is not a date"),
        (lambda r, h: r["sections"].append(h), "section health again"),
        # a roll-up holding a city that is also given alone
        (_two_cities_of, "region 430103 again"),
    ],
)
def test_a_tampered_or_hand_edited_file_is_refused_saying_where(city, tmp_path, change, reason):
    first, second = _report(tmp_path, "430102"), _report(tmp_path, "430103")
    _tampered(first, change)
    with pytest.raises(CommandError, match=reason):
        call_command("report", "rollup", str(first), str(second))


def test_a_roll_up_lists_the_cities_of_the_roll_ups_it_adds(city, tmp_path, capsys):
    files = [_report(tmp_path, "430102"), _report(tmp_path, "430103")]
    call_command("report", "rollup", str(files[0]), "--code", "A", "-o", str(tmp_path / "a.json"))
    whole = _rollup(capsys, tmp_path / "a.json", files[1])
    assert [c["code"] for c in whole["cities"]] == ["430102", "430103"]
    with pytest.raises(CommandError, match="region 430102 again"):
        call_command("report", "rollup", str(tmp_path / "a.json"), str(files[0]))


def test_a_roll_up_of_roll_ups_adds_up_again(city, tmp_path, capsys):
    files = [_report(tmp_path, "430102"), _report(tmp_path, "430103")]
    call_command(
        "report", "rollup", *map(str, files[:1]), "--code", "A", "-o", str(tmp_path / "a.json")
    )
    call_command(
        "report", "rollup", *map(str, files[1:]), "--code", "B", "-o", str(tmp_path / "b.json")
    )
    whole = _rollup(capsys, tmp_path / "a.json", tmp_path / "b.json")
    assert _figures(whole)["due"]["today"] == 2 and _figures(whole)["reported"]["share"] == 0.5


def test_the_api_json_of_a_city_rolls_up_too(city, people, login, tmp_path, capsys):
    from django.urls import reverse

    answer = login(people.hq).get(reverse("api:daily"), {"region": "430102", "day": str(DAY)})
    fetched = tmp_path / "api.json"
    fetched.write_bytes(answer.content)
    whole = _rollup(capsys, fetched, _report(tmp_path, "430103"))
    assert whole["cities"][0] == {
        "code": "430102",
        "name": "芙蓉区",
        "as_of": answer.json()["as_of"],
        "version": None,
    }
    assert _figures(whole)["due"]["today"] == 2
