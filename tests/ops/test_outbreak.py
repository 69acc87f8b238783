"""The demo city's outbreak: deterministic, seeded once, a figure for every day, and a first
page with real work for every demo account.

One small city (3,000 residents: part of the demo community) is seeded for the module; a
three-day outbreak is replayed twice with the same seed and "now" (each rolled back), then the
two weeks, so the tests read a committed city without paying for it per test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.accounts.scope import scope_of
from fangkong.health import selectors
from fangkong.health.choices import PassageOutcome
from fangkong.health.models import (
    Alert,
    BuildingLink,
    Case,
    CheckIn,
    Checkpoint,
    Contact,
    HealthRule,
    Observation,
    Passage,
)
from fangkong.ops.city import generate_city
from fangkong.ops.demo import DEMO_PASSWORD
from fangkong.ops.load import load_city
from fangkong.ops.outbreak import seed_outbreak
from fangkong.regions.models import Region

RESIDENTS = 3_000
DAYS = 14
MODELS = [Passage, Alert, Contact, Observation, Case, CheckIn, Checkpoint, BuildingLink]


def _counts() -> dict[str, object]:
    counts: dict[str, object] = {m.__name__: m.objects.count() for m in MODELS}
    counts["check-ins by day"] = dict(
        CheckIn.objects.values_list("on").annotate(n=Count("id")).order_by("on")
    )
    counts["open alerts"] = Alert.objects.filter(closed_at__isnull=True).count()
    counts["escalated"] = Alert.objects.filter(escalated_at__isnull=False).count()
    counts["persons in cases"] = sorted(Case.objects.values_list("person_id", flat=True))
    return counts


@pytest.fixture(scope="module")
def outbreak(django_db_setup, django_db_blocker):
    now = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(21, 30)))
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        load_city(generate_city(residents=RESIDENTS, seed=1))
        runs = []
        for _ in range(2):  # a short outbreak twice, each rolled back
            with transaction.atomic():
                runs.append((seed_outbreak(seed=1, days=3, now=now), _counts()))
                transaction.set_rollback(True)
        assert not CheckIn.objects.exists()
        result = seed_outbreak(seed=1, days=DAYS, now=now)
        yield {"runs": runs, "result": result, "now": now}
        call_command("flush", interactive=False, verbosity=0)


pytestmark = pytest.mark.django_db


def test_the_same_seed_gives_the_same_outbreak(outbreak):
    (first, first_counts), (second, second_counts) = outbreak["runs"]
    assert first == second
    assert first_counts == second_counts
    assert first.check_ins > RESIDENTS and first.alerts > 0 and first.passages > 0


def test_a_second_demo_run_reuses_the_outbreak_without_doubling_it(outbreak, capsys):
    before = _counts()
    call_command("demo", no_serve=True)
    assert _counts() == before
    assert "reusing its health records" in capsys.readouterr().out


def test_every_day_of_the_two_weeks_has_its_figures(outbreak):
    now = outbreak["now"]
    days = [now.date() - dt.timedelta(days=k) for k in range(DAYS)]
    city = Region.objects.get(level="city")
    hq = scope_of(User.objects.get(username="hq"))
    for day in days:
        figures = selectors.staff_view(hq, city, day).total
        assert figures.reported > 0, day
        assert figures.watched_total > 0, day
        assert figures.passages > figures.turned_back > 0, day
        assert Alert.objects.filter(opened_at__date=day).exists(), day
        assert Alert.objects.filter(closed_at__date=day).exists(), day
    assert Case.objects.values("report_on").distinct().count() >= 5
    assert Contact.objects.filter(kind="secondary").exists()


def test_most_alerts_are_closed_within_their_deadline_and_some_went_up(outbreak):
    closed = Alert.objects.filter(closed_at__isnull=False)
    in_time = sum(a.closed_at <= a.opened_at + dt.timedelta(hours=2) for a in closed)
    assert in_time > closed.count() / 2
    assert Alert.objects.filter(escalated_at__isnull=False, closed_at__isnull=False).exists()
    assert set(Alert.objects.filter(closed_at__isnull=True).values_list("level", flat=True)) >= {
        "grid",
        "community",
    }


def test_observation_follows_each_regions_rule_some_running_some_over(outbreak):
    today = outbreak["now"].date()
    contact_periods = Observation.objects.filter(contact__isnull=False)
    assert contact_periods.filter(kind="central_quarantine").exists()
    assert (
        contact_periods.filter(end_on__lt=today).exists()
        or Observation.objects.filter(end_on__lt=today).exists()
    )
    assert contact_periods.filter(end_on__gte=today, ended_on__isnull=True).exists()
    assert Observation.objects.filter(end_reason__contains="定点医院").exists()
    universal = HealthRule.objects.get(universal_reporting=True)
    assert universal.region.code == User.objects.get(username="community").scope_region.code


def _login(client, username):
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client.get("/", follow=True)


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_grid_worker_finds_todays_missing_list_an_open_alert_and_people_under_watch(
    outbreak, client
):
    grid = User.objects.get(username="grid_a").scope_region
    first = _login(client, "grid_a").content.decode()
    assert "1栋" in first
    scope = scope_of(User.objects.get(username="grid_a"))
    missing = selectors.missing_today(scope, grid)
    assert missing and missing[0].name in _page(client, f"/health/missing/{grid.code}/")
    alerts = selectors.open_alerts(scope, grid)
    assert alerts and alerts[0].person.name in _page(client, "/health/alerts/")
    watched = selectors.watched_list(scope, grid, timezone.localdate())
    assert watched and watched[0].person.name in _page(
        client, f"/health/people/?region={grid.code}"
    )
    assert BuildingLink.objects.filter(region_path__startswith=grid.path).count() >= 1


def test_community_staff_find_their_grids_and_cases(outbreak, client):
    community = User.objects.get(username="community").scope_region
    first = _login(client, "community").content.decode()
    assert Region.objects.filter(parent=community).first().name in first
    case = Case.objects.filter(region_path__startswith=community.path).first()
    assert case is not None and case.person.name in _page(client, "/health/cases/")


def test_headquarters_read_the_city_and_each_of_the_fourteen_days(outbreak, client):
    first = _login(client, "hq").content.decode()
    assert Region.objects.get(level="district").name in first
    for k in range(DAYS):
        day = outbreak["now"].date() - dt.timedelta(days=k)
        page = _page(client, f"/health/?day={day.isoformat()}")
        reported = CheckIn.objects.filter(on=day).values("person").distinct().count()
        assert f"{reported}" in page, day


def test_the_volunteer_lands_on_their_shifts_and_finds_their_checkpoint(outbreak, client):
    from fangkong.volunteers.models import Shift

    response = _login(client, "volunteer")
    mine = Shift.objects.filter(volunteer__user__username="volunteer")
    assert mine.filter(signed_out_at__isnull=False).exists()  # a week of shifts behind them
    assert "赵志愿" in response.content.decode()
    assert "/health/checkpoints/" in response.content.decode()
    region = User.objects.get(username="volunteer").scope_region
    checkpoint = Checkpoint.objects.get(region=region, name__endswith="正门卡口")
    assert checkpoint.name in _page(client, "/health/checkpoints/")
    page = _page(client, f"/health/checkpoints/{checkpoint.pk}/")
    today = Passage.objects.filter(checkpoint=checkpoint, on=timezone.localdate())
    assert today.exists() and today.filter(outcome=PassageOutcome.TURNED_BACK).exists()
    assert str(today.count()) in page
    assert checkpoint.passages.filter(operator__username="volunteer").count() == (
        checkpoint.passages.count()
    )


def test_the_hospital_lands_on_its_facility_with_beds_and_patients_to_admit(outbreak, client):
    response = _login(client, "hospital")
    assert response.status_code == 200
    body = response.content.decode()
    assert "市一医院" in body and "现在清点床位" in body
    assert response.context["coming"]  # today's plan sends it patients to admit
    assert response.context["figures"][0].stock.reported_by.username == "hospital"


def test_headquarters_finds_todays_transfer_plan_half_done_and_a_stale_count(outbreak, client):
    from fangkong.beds.models import Line, Plan

    plan = Plan.objects.get(on=timezone.localdate())
    assert plan.status == "confirmed"
    done = set(Line.objects.filter(plan=plan).values_list("status", flat=True))
    assert {"admitted", "picked_up", "confirmed"} <= done
    _login(client, "hq")
    page = client.get("/beds/").content.decode()
    assert "方舱医院" in page and "已过时" in page and "今日转运计划" in page


def test_the_lab_lands_on_its_lab_page(outbreak, client):
    response = _login(client, "lab")
    assert response.status_code == 200
    assert "疾控中心实验室" in response.content.decode()


@pytest.mark.parametrize("username", ["district", "street", "grid_b"])
def test_every_other_account_lands_on_its_region(outbreak, client, username):
    region = User.objects.get(username=username).scope_region
    response = _login(client, username)
    assert response.status_code == 200 and region.name in response.content.decode()


def test_todays_testing_campaign_is_under_way_in_the_demo_community(outbreak, client):
    from fangkong.screening import selectors as screening
    from fangkong.screening.models import Campaign, Tube, Untested

    campaign = Campaign.objects.get()
    grid_a = User.objects.get(username="grid_a")
    assert campaign.start_on == outbreak["now"].date()
    assert campaign.region == User.objects.get(username="community").scope_region
    cover = screening.coverage(scope_of(grid_a), campaign, grid_a.scope_region).total
    assert 0.7 < cover.sampled / cover.target < 1
    assert Tube.objects.filter(status="open", opened_by=grid_a).count() == 1
    assert Tube.objects.exclude(status="open").count() > 10
    # the closed tubes went to the lab account's lab: one pool positive in grid_a's grid, its
    # members under watch with a single-tube retest task each for grid_a
    from fangkong.screening.labmodels import Task

    positive = Tube.objects.get(result__result="positive")
    assert positive.region_path.startswith(grid_a.scope_region.path)
    assert Task.objects.filter(kind="retest", tube=positive).count() == positive.samples.count()
    assert Untested.objects.filter(region_path__startswith=grid_a.scope_region.path).exists()
    assert outbreak["result"].testing["swabs"] == campaign.samples.count()
    _login(client, "grid_a")
    page = _page(client, f"/screening/{campaign.pk}/")
    assert campaign.name in page


def test_the_demo_street_has_teams_posts_and_a_week_of_shifts(outbreak, client):
    from fangkong.volunteers.models import Shift, Team, Volunteer

    assert Volunteer.objects.count() >= 15 and Team.objects.filter(kind="branch").exists()
    now = outbreak["now"]
    assert Shift.objects.filter(signed_in_at__isnull=False, signed_out_at__isnull=True).exists()
    assert Shift.objects.filter(closed_how="auto").count() == 1
    assert Shift.objects.filter(
        volunteer__user__username="volunteer", signed_in_at__isnull=True, planned_start_at__gt=now
    ).exists()
    _login(client, "community")
    league = _page(client, "/volunteers/league/")
    assert "执勤组" in league and "临时党支部" in league


def test_the_demo_community_has_help_requests_in_every_state(outbreak, client):
    from fangkong.assistance.models import Advance, HelpRequest, Stop, Task

    states = set(HelpRequest.objects.values_list("status", flat=True))
    assert states >= {
        "open",
        "offered",
        "accepted",
        "picked_up",
        "delivered",
        "merged",
        "cancelled",
    }
    assert HelpRequest.objects.exclude(level="community").exists()  # escalated
    tasks = set(Task.objects.values_list("status", flat=True))
    assert tasks >= {"offered", "accepted", "picked_up", "delivered", "could_not"}
    assert Advance.objects.filter(repaid_at__isnull=False).exists()
    assert Advance.objects.filter(repaid_at__isnull=True).exists()
    assert set(Stop.objects.values_list("status", flat=True)) == {
        "pending",
        "delivered",
        "could_not",
    }
    _login(client, "volunteer")
    mine = _page(client, "/help/my/")
    assert mine.count('class="tag offered"') >= 1 and "已送达" in mine
    _login(client, "community")
    assert "液化气罐配送" in _page(client, "/help/rounds/")
    batch = client.post("/help/batch/", {"max_km": "5"})
    assert batch.status_code == 200 and "已派出" in batch.content.decode()
