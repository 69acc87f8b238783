"""The staff view's figures: each share counts one population and says which; what a user just
did shows at once."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.accounts.scope import scope_of
from fangkong.health.models import CheckIn, HealthRule, Observation
from fangkong.health.rules import forget_rules, rules_for
from fangkong.health.selectors import staff_view
from fangkong.health.services import CheckInData, record_check_ins
from fangkong.people.models import Person

from ..conftest import make_person, start_watch

TODAY = dt.date.today


def report(*persons, t="36.5"):
    record_check_ins(
        items=[CheckInData(uuid.uuid4(), p.pk, t) for p in persons],
        persons={p.pk: p.region_path for p in persons},
    )


def watch(person):
    return start_watch(person, start=TODAY(), end=TODAY() + dt.timedelta(days=6))


def text(response) -> str:
    """The page as a reader sees it: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def summary(client, region):
    return client.get(reverse("api:summary") + f"?region={region.code}").json()


def test_six_reported_and_two_under_watch_who_did_not_reads_zero_of_two(tree, people, login):
    reporters = [make_person(tree.grid_a, name=f"居民{i}") for i in range(4)]
    report(tree.person_a, tree.child_a, *reporters)
    watch(make_person(tree.grid_a, name="返乡甲"))
    watch(make_person(tree.grid_b, name="返乡乙"))
    client = login(people.hq)
    total = summary(client, tree.city)["total"]
    assert (total["expected_reported"], total["expected"], total["due_among"]) == (0, 2, "watched")
    assert (total["check_ins"], total["reported"]) == (6, 6)
    assert total["residents"] == 10
    page = text(client.get(reverse("health:staff") + f"?region={tree.city.code}"))
    assert "需上报：观察对象 需上报 2 人中已报 0 人 · 0%" in page
    assert "当日上报 6 人次 / 6 人" in page and "登记居民 10 人" in page and "300%" not in page


def test_a_person_under_watch_who_reports_counts_in_both_and_the_share_says_so(tree, people, login):
    watch(tree.person_a)
    report(tree.person_a, tree.child_a)
    a = summary(login(people.street), tree.grid_a)["total"]
    assert (a["expected_reported"], a["expected"], a["reported"]) == (1, 1, 2)


def test_with_every_resident_due_the_share_counts_residents_who_reported(tree, people, login):
    HealthRule.objects.create(region=tree.community_a, universal_reporting=True)
    watch(tree.person_b)  # grid B keeps the default: only people under watch
    report(tree.person_a, tree.person_b)
    client = login(people.street)
    data = summary(client, tree.street)
    a, b = (
        next(c for c in data["children"] if c["code"] == r.code)
        for r in (
            tree.community_a,
            tree.community_b,
        )
    )
    assert (a["expected_reported"], a["expected"], a["due_among"]) == (1, 2, "residents")
    assert (b["expected_reported"], b["expected"], b["due_among"]) == (1, 1, "watched")
    assert data["total"]["due_among"] == "mixed"
    page = text(client.get(reverse("health:staff") + f"?region={tree.street.code}"))
    assert "需上报：全体居民 需上报 2 人中已报 1 人 · 50%" in page
    assert "需上报：按各地规则" in page


# A random population of grids A and B: who lives where, who is under watch, how often each
# reported today, and which regions have every resident report.
PERSON = st.tuples(st.sampled_from("ab"), st.booleans(), st.integers(0, 2))
RULES = st.dictionaries(
    st.sampled_from(["community_a", "community_b", "grid_a", "street"]), st.booleans(), max_size=3
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(population=st.lists(PERSON, max_size=12), rules=RULES)
def test_every_share_is_of_its_own_population_and_never_over_a_hundred_percent(
    tree, people, population, rules
):
    with transaction.atomic():
        cache.clear()
        forget_rules()
        for name, universal in rules.items():
            HealthRule.objects.create(region=getattr(tree, name), universal_reporting=universal)
        due: dict[str, set[int]] = {}
        for i, (grid, watched, times) in enumerate(population):
            person = make_person(getattr(tree, f"grid_{grid}"), name=f"人{i}")
            if watched:
                watch(person)
            for _ in range(times):
                report(person)
        reported = set(CheckIn.objects.filter(on=TODAY()).values_list("person_id", flat=True))
        watched_ids = set(Observation.objects.values_list("person_id", flat=True))
        for p in Person.objects.all():
            if rules_for(p.region_path).universal_reporting or p.pk in watched_ids:
                due.setdefault(p.region_path, set()).add(p.pk)
        view = staff_view(scope_of(people.hq), tree.street, TODAY())
        for region, f in [(tree.street, view.total), *view.children]:
            own = set().union(*(ids for path, ids in due.items() if path.startswith(region.path)))
            assert f.expected == len(own)
            assert f.expected_reported == len(own & reported)  # numerator ⊆ denominator
            assert 0 <= f.expected_reported <= f.expected
            assert f.due_share is None or 0 <= f.due_share <= 100
            assert f.due_share != 100 or f.expected_reported == f.expected
        transaction.set_rollback(True)


def test_quick_entry_that_opens_an_alert_shows_at_once_in_the_grid_and_community(
    tree, people, login, django_capture_on_commit_callbacks
):
    client = login(people.community)
    for region in (tree.grid_a, tree.community_a):  # counted and kept before the entry
        assert summary(client, region)["total"]["alerts_open"] == 0
    url = reverse("health:quick_entry", args=[tree.building_a.pk]) + "?unit=1"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {f"t{tree.child_a.pk}": "38.2"})
    for region in (tree.grid_a, tree.community_a):
        assert summary(client, region)["total"]["alerts_open"] == 1
        page = text(client.get(reverse("health:staff") + f"?region={region.code}"))
        assert "未处置的发热预警 1 " in page


def test_a_closed_alert_and_a_new_period_show_at_once(
    tree, people, login, django_capture_on_commit_callbacks
):
    client = login(people.grid_a)
    with django_capture_on_commit_callbacks(execute=True):
        report(tree.person_a, t="38.5")
    assert summary(client, tree.grid_a)["total"]["alerts_open"] == 1
    alert = tree.person_a.alerts.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("health:alert_close", args=[alert.pk]), {"outcome": "normal"})
        client.post(
            reverse("health:observe", args=[tree.child_a.pk]),
            {"kind": "home_observation", "reason": "返乡", "days": "7"},
        )
    total = summary(client, tree.grid_a)["total"]
    assert (total["alerts_open"], total["alerts_closed"], total["expected"]) == (0, 1, 1)


def test_the_staff_view_and_the_daily_report_count_the_same_figures(tree, people):
    """One count behind both (``day_values``): the staff page never says another number than
    the report of the same region and day."""
    from fangkong.reports.selectors import daily_report

    HealthRule.objects.create(region=tree.community_a, universal_reporting=True)
    watch(tree.person_b)
    watch(tree.person_c)
    report(tree.person_a, tree.person_b, t="38.4")
    report(tree.person_a)
    hq = scope_of(people.hq)
    view = staff_view(hq, tree.city, TODAY())
    content = daily_report(hq, tree.city, TODAY())
    health = next(s for s in content["sections"] if s["key"] == "health")
    figures = {f["key"]: f["today"] for f in health["figures"]}
    f = view.total
    assert (f.expected, f.expected_reported, f.reported) == (
        figures["due"],
        figures["reported"],
        figures["checked_in"],
    )
    assert (f.alerts_open, f.alerts_closed, f.watched_total) == (
        figures["alerts_open"],
        figures["alerts_closed"],
        figures["watched"],
    )
    # grid A: its 2 residents due, 张伟 reported; 李娜 (reported) and 王芳 (not) under watch
    assert (f.expected, f.expected_reported, f.reported) == (4, 2, 2)
    rows = {r["code"]: r["values"] for r in health["rows"]}
    for child, g in view.children:
        assert (g.expected, g.expected_reported) == (
            rows[child.code]["due"],
            rows[child.code]["reported"],
        )


def test_a_person_under_two_kinds_on_one_day_is_one_person_under_watch_on_the_staff_page(
    tree, people
):
    """Released from central quarantine today (the period covers today still) and under health
    monitoring from today: each kind counts them, the staff page's "under watch" once, as the
    report's and as "due"."""
    from fangkong.health.services import do_end_observation, do_place_under_watch
    from fangkong.reports.selectors import daily_report

    a = tree.person_a
    quarantine = start_watch(
        a, kind="central_quarantine", start=TODAY() - dt.timedelta(days=6), end=TODAY()
    )
    do_end_observation(observation_id=quarantine.pk, reason="解除")
    do_place_under_watch(people=[(a.pk, a.region_path, "出院")], kind="health_monitoring")
    hq = scope_of(people.hq)
    f = staff_view(hq, tree.city, TODAY()).total
    health = next(
        s for s in daily_report(hq, tree.city, TODAY())["sections"] if s["key"] == "health"
    )
    figures = {f["key"]: f["today"] for f in health["figures"]}
    assert f.watched == {"central_quarantine": 1, "health_monitoring": 1}
    assert (f.watched_total, f.expected) == (1, 1) == (figures["watched"], figures["due"])


def test_a_rule_changed_in_admin_recounts_who_is_due_at_once(
    tree, people, login, django_capture_on_commit_callbacks
):
    client = login(people.street)
    assert summary(client, tree.grid_a)["total"]["expected"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        HealthRule.objects.create(region=tree.street, universal_reporting=True)
    total = summary(client, tree.grid_a)["total"]
    assert (total["expected"], total["due_among"]) == (2, "residents")
