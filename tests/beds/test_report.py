"""Beds' section of the daily report: free beds by type, occupancy, waiting and waiting past
the limit, the day's plan done and left, with rows per child region."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.beds.models import Patient, Plan
from fangkong.beds.report import beds_figures, beds_totals
from fangkong.beds.services import (
    BedCount,
    check_confirm_plan,
    check_propose_plan,
    check_report_beds,
    check_report_progress,
    take_in_waiting,
)
from fangkong.reports.sections import until_of


def test_the_section_counts_beds_waiting_and_the_plan(beds, tree, people):
    check_report_beds(
        scope=scope_of(people.hospital),
        user=people.hospital,
        facility=beds.hospital,
        counts=[BedCount("ward", 2, 1)],
    )
    take_in_waiting()
    Patient.objects.filter(person=tree.person_b).update(
        since_at=timezone.now() - dt.timedelta(hours=30)
    )
    hq = scope_of(people.hq)
    today = timezone.localdate()
    before = {f.key: f.value for f in beds_figures(hq, tree.city, today, until_of(today)).figures}
    assert before["free_ward"] == 7  # FR01's 2 free and TX01's 5
    assert before["free_icu"] == 2 and before["free_quarantine"] == 20
    assert before["occupied"] == 2 and before["capacity"] == 2 + 5 + 10 + 20 + 5
    assert (before["waiting"], before["waiting_over"]) == (2, 1)
    plan = check_propose_plan(scope=hq, user=people.hq, region=tree.city)
    check_confirm_plan(scope=hq, user=people.hq, plan=plan)
    line = plan.lines.get(patient__person=tree.person_a)
    check_report_progress(scope=hq, user=people.hq, line=line, status="admitted")
    section = beds_figures(hq, tree.city, today, until_of(today))
    after = {f.key: f.value for f in section.figures}
    assert (after["planned"], after["done"], after["left"], after["waiting"]) == (2, 1, 1, 0)
    assert after["occupied"] == 3
    assert section.values[tree.grid_a.path]["done"] == 1
    assert section.values[tree.grid_b.path]["left"] == 1


def test_a_district_reads_only_its_own_beds(beds, tree, people):
    today = timezone.localdate()
    figures = beds_figures(scope_of(people.district), tree.district, today, until_of(today))
    assert {f.key: f.value for f in figures.figures}["free_ward"] == 5  # not 天心区's


def test_the_trend_of_whole_days_says_what_each_day_s_figures_say(beds, tree, people):
    hq = scope_of(people.hq)
    take_in_waiting()
    plan = check_propose_plan(scope=hq, user=people.hq, region=tree.city)
    check_confirm_plan(scope=hq, user=people.hq, plan=plan)
    line = plan.lines.get(patient__person=tree.person_a)
    check_report_progress(scope=hq, user=people.hq, line=line, status="admitted")
    today = timezone.localdate()
    Plan.objects.filter(pk=plan.pk).update(on=today - dt.timedelta(days=2))
    moments = [(today - dt.timedelta(days=n), None) for n in (3, 2, 1)]
    moments = [(d, until_of(d)) for d, _u in moments]
    trend = beds_totals(hq, tree.city, moments)
    for (day, until), totals in zip(moments, trend, strict=True):
        figures = beds_figures(hq, tree.city, day, until)
        assert {f.key: f.value for f in figures.figures if f.value} == {
            k: v for k, v in totals.items() if v
        }
    assert [t.get("planned", 0) for t in trend] == [0, 2, 0]
    assert trend[1]["done"] == 1 and trend[0]["capacity"] == trend[2]["capacity"] > 0


def test_each_drill_down_lists_the_region_its_figure_counts(beds, tree, people, login):
    take_in_waiting()  # 张伟 waits in grid A, 李娜 in grid B
    today = timezone.localdate()
    city = beds_figures(scope_of(people.hq), tree.district, today, until_of(today))
    free = next(f.link for f in city.figures if f.key == "free_ward")
    page = login(people.hq).get(free.url).content.decode()
    assert "芙蓉区定点医院" in page and "天心区定点医院" not in page  # 芙蓉区's, not the city's
    got = beds_figures(scope_of(people.street), tree.community_a, today, until_of(today))
    waiting = next(f.link for f in got.figures if f.key == "waiting")
    client = login(people.street)
    page = client.get(waiting.url).content.decode()
    assert "张*" in page and "李*" not in page and "红星社区" in page
    whole = client.get(reverse("beds:waiting")).content.decode()
    assert "张*" in whole and "李*" in whole  # without ?region= the street's whole list
    assert client.get(reverse("beds:waiting") + "?region=430103").status_code == 404
    assert client.get(reverse("beds:home") + "?region=430103").status_code == 404


def test_the_waiting_past_the_limit_item_opens_its_region_s_list(beds, tree, people, login):
    take_in_waiting()
    Patient.objects.filter(person=tree.person_b).update(
        since_at=timezone.now() - dt.timedelta(hours=30)
    )
    today = timezone.localdate()
    got = beds_figures(scope_of(people.district), tree.community_b, today, until_of(today))
    (item,) = got.outstanding
    page = login(people.district).get(item.link.url).content.decode()
    assert "李*" in page and "张*" not in page
