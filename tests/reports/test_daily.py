"""The daily report's figures, from the sections the apps register."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.health.models import Alert, CheckIn, Observation
from fangkong.people.models import Person
from fangkong.reports import sections
from fangkong.reports.selectors import compile_report, daily_report

from .conftest import DAY, at


def figures(content, section):
    s = next(s for s in content["sections"] if s["key"] == section)
    return {f["key"]: f["today"] for f in s["figures"]}


def rows(content, section):
    s = next(s for s in content["sections"] if s["key"] == section)
    return {r["code"]: r["values"] for r in s["rows"]}


def test_the_report_holds_every_registered_section_in_order(city, people):
    content = daily_report(scope_of(people.hq), city.city, DAY)
    assert [s["key"] for s in content["sections"]] == [
        "registry",
        "health",
        "screening",
        "supplies",
        "assistance",
        "beds",
        "funds",
        "volunteers",
    ]


def test_a_section_registered_by_another_app_appears_without_the_report_knowing_it(city, people):
    def figures_fn(scope, region, day, until):
        return sections.SectionFigures(
            figures=[sections.Figure("places", "Free places", "places", 7)],
            values={city.grid_a.path: {"places": 4}, city.grid_c.path: {"places": 3}},
        )

    sections.register(sections.Section("shelters", "Shelters", 5, figures_fn))
    try:
        content = daily_report(scope_of(people.hq), city.city, DAY)
    finally:
        sections.unregister("shelters")
    assert content["sections"][0]["key"] == "shelters"
    assert figures(content, "shelters") == {"places": 7}
    assert rows(content, "shelters") == {"430102": {"places": 4}, "430103": {"places": 3}}


def test_the_health_figures_of_a_day_are_the_days_records(city, people):
    content = daily_report(scope_of(people.hq), city.city, DAY)
    assert figures(content, "health") == {
        "due": 2,  # 张伟 and 李娜, under watch
        "reported": 1,  # 张伟
        "not_reported": 1,  # 李娜
        "checked_in": 3,  # 张伟, 张小明, 王芳
        "alerts_opened": 1,
        "alerts_closed": 1,
        "alerts_open": 1,
        "alerts_overdue": 1,
        "watched": 2,
        "watched_home_observation": 1,
        "watched_home_isolation": 0,
        "watched_central_quarantine": 1,
        "watched_health_monitoring": 0,
        "cases_new": 1,
        "contacts_new": 1,
        "passages": 3,
        "turned_back": 1,
    }


def test_the_registry_figures_count_the_registered_residents(city, people):
    content = daily_report(scope_of(people.hq), city.city, DAY)
    assert figures(content, "registry") == {
        "residents": 4,
        "households": 2,
        "children": 1,
        "vulnerable": 1,
        "tag_elderly_alone": 1,
        "tag_bedridden": 0,
        "tag_disabled": 0,
        "tag_chronic_care": 0,
        "tag_pregnant": 0,
        "newcomers": 0,
    }


def test_the_figures_equal_a_recount_of_the_raw_rows(city, people):
    """Counted again in Python from every row, the slow way the report must never take."""
    content = daily_report(scope_of(people.hq), city.city, DAY)
    health = figures(content, "health")
    day_check_ins = [c for c in CheckIn.objects.all() if c.on == DAY]
    watched = {o.person_id for o in Observation.objects.all() if o.active_on(DAY)}
    assert health["checked_in"] == len({c.person_id for c in day_check_ins})
    assert health["due"] == len(watched)
    assert health["reported"] == len(watched & {c.person_id for c in day_check_ins})
    end = at(DAY + dt.timedelta(days=1), 0)
    open_then = [a for a in Alert.objects.all() if a.opened_at < end and not a.closed_at]
    assert health["alerts_open"] == len(open_then)
    assert figures(content, "registry")["residents"] == Person.objects.count()


def test_rows_go_one_level_down_and_add_up_to_the_region(city, people):
    content = daily_report(scope_of(people.hq), city.city, DAY)
    by_district = rows(content, "health")
    assert set(by_district) == {"430102", "430103"}
    assert by_district["430102"]["due"] == 2 and by_district["430102"]["reported"] == 1
    assert by_district["430103"]["due"] == 0
    health = figures(content, "health")
    for key in by_district["430102"]:
        assert sum(r[key] for r in by_district.values()) == health[key]
    street = daily_report(scope_of(people.street), city.street, DAY)
    assert set(rows(street, "health")) == {"430102001001", "430102001002"}


def test_today_is_compared_with_yesterday_and_the_last_seven_days(city, people):
    content = daily_report(scope_of(people.hq), city.city, DAY)
    health = next(s for s in content["sections"] if s["key"] == "health")
    due = next(f for f in health["figures"] if f["key"] == "due")
    assert due["trend"] == [0, 0, 0, 0, 1, 1, 2]  # 张伟 from DAY-2, 李娜 from DAY
    assert (due["yesterday"], due["change"]) == (1, 1)


def test_a_progress_round_counts_only_what_happened_before_its_hour(city, people):
    content = daily_report(scope_of(people.hq), city.city, DAY, at(DAY, 9, 30))
    health = figures(content, "health")
    assert health["checked_in"] == 1  # only 张伟, at 09:00
    assert health["alerts_opened"] == 0 and health["alerts_closed"] == 1
    assert health["cases_new"] == 0  # recorded at 11:00
    assert content["as_of"].startswith(f"{DAY}T09:30")


def test_the_outstanding_list_names_overdue_alerts_and_grids_not_reported(city, people):
    content = daily_report(scope_of(people.hq), city.city, DAY)
    health = next(s for s in content["sections"] if s["key"] == "health")
    items = {(i["kind"], i["region_code"]): i["count"] for i in health["outstanding"]}
    assert items == {("alerts_overdue", city.grid_a.code): 1, ("not_reported", city.grid_b.code): 1}


def test_where_everyone_reports_every_resident_is_due(city, people):
    from fangkong.health.models import HealthRule
    from fangkong.health.rules import forget_rules

    HealthRule.objects.create(region=city.district, universal_reporting=True)
    forget_rules()
    health = figures(daily_report(scope_of(people.hq), city.city, DAY), "health")
    # 芙蓉区: 3 residents due, 2 reported (张伟, 张小明); 天心区: 李娜's rule does not apply
    assert (health["due"], health["reported"]) == (3, 2)


def test_every_share_stays_within_its_denominator(city, people):
    content = daily_report(scope_of(people.hq), city.city, DAY)
    for section in content["sections"]:
        by_key = {f["key"]: f for f in section["figures"]}
        for f in section["figures"]:
            if f["of"]:
                assert f["today"] <= by_key[f["of"]]["today"], f["key"]
                for row in section["rows"]:
                    assert row["values"].get(f["key"], 0) <= row["values"].get(f["of"], 0)


def test_a_section_refuses_a_share_over_its_denominator():
    with pytest.raises(ValueError, match="passes 100"):
        sections.SectionFigures(
            figures=[
                sections.Figure("due", "Due", "people", 2),
                sections.Figure("reported", "Reported", "people", 6, of="due"),
            ]
        )


def test_a_district_officer_reads_only_their_district(city, people):
    from django.http import Http404

    with pytest.raises(Http404):
        daily_report(scope_of(people.district), city.city, DAY)
    content = daily_report(scope_of(people.district), city.district, DAY)
    assert figures(content, "registry")["residents"] == 3


def test_the_report_holds_no_names_of_people(city, people):
    import json

    text = json.dumps(compile_report(scope_of(people.hq), city.city, DAY), ensure_ascii=False)
    for name in ("张伟", "张小明", "李娜", "王芳"):
        assert name not in text


def test_after_check_ins_deletions_moves_and_merges_the_figures_equal_a_recount(city, people):
    """The health figures come from the day's counters; whatever the writes did to them, the
    report of today and of DAY says what the raw rows say."""
    import uuid

    from fangkong.health.models import HealthRule
    from fangkong.health.services import CheckInData, do_delete_check_in, record_check_ins
    from fangkong.people.moves import person_moved
    from fangkong.people.services import do_merge_persons

    from ..conftest import make_person
    from ..health.recount import recounted_values, report_values

    HealthRule.objects.create(region=city.community_a, universal_reporting=True)
    everyone = [city.person_a, city.child_a, city.person_b, city.person_c]
    twin = make_person(city.grid_b, phone="")
    record_check_ins(
        items=[CheckInData(uuid.uuid4(), p.pk, "36.6") for p in [*everyone, twin, city.person_b]],
        persons={p.pk: p.region_path for p in [*everyone, twin]},
    )
    do_delete_check_in(
        user=people.grid_a,
        check_in=CheckIn.objects.get(person=city.child_a, on=timezone.localdate()),
        reason="typed for the wrong person",
    )
    city.person_b.grid, city.person_b.region_path = city.grid_a, city.grid_a.path
    city.person_b.save()
    person_moved([city.person_b.pk])  # 李娜 moves to grid A with today's check-ins
    do_merge_persons(user=people.grid_a, keep=city.person_a, drop=twin)
    for day in (timezone.localdate(), DAY):
        assert report_values(city.city, day) == recounted_values(city.city, day)
    today = figures(daily_report(scope_of(people.hq), city.city, timezone.localdate()), "health")
    # grid A reports universally: 张伟, 张小明, 李娜 due, 张伟 and 李娜 reported; 王芳 checked
    # in but is not due; the merged twin counts once, as 张伟
    assert (today["due"], today["reported"], today["checked_in"]) == (3, 2, 3)


def test_a_round_at_the_last_minute_of_a_day_counts_as_the_whole_day(city, people):
    """A round before the day's end reads the raw rows, the whole day reads the counters: at
    the day's last minute both say the same."""
    hq = scope_of(people.hq)
    whole = figures(daily_report(hq, city.city, DAY), "health")
    late = figures(daily_report(hq, city.city, DAY, at(DAY, 23, 59)), "health")
    assert whole == late
