"""Retests and re-samples not taken in time go up the tree from the timer, as fever alerts and
help requests do: grid worker → community → street → district, each level with two hours before
the next hears of it; the staff of the level reached see the task on their list, marked."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fangkong.accounts.choices import Role
from fangkong.accounts.services import create_user
from fangkong.screening.labmodels import Task
from fangkong.screening.models import Tube
from fangkong.screening.services.escalation import ESCALATED_MINUTES, escalate_overdue_tasks
from fangkong.screening.services.tasks import RETEST_HOURS

from ..conftest import make_person
from .conftest import make_campaign
from .labhelpers import import_rows, lab_csv, make_lab, swabbed_tube

LAB = "芙蓉区疾控中心实验室"
STEP = "retests and re-samples"


def _when():
    return timezone.localdate().strftime("%Y-%m-%d") + " 09:30"


@pytest.fixture
def lab(tree, people):
    return make_lab(tree, people)


@pytest.fixture
def retests(tmp_path, tree, people, lab):
    """Tube HX600001 (张伟 and 张小明 of grid A) found positive: a retest each for grid A's
    worker, due in 12 hours."""
    swabbed_tube(
        people.grid_a, make_campaign(tree), "HX600001", tree.person_a, tree.child_a, lab=lab
    )
    import_rows(tmp_path, [["HX600001", "阳性", "", "", LAB, _when()]], lab=lab, user=people.lab)
    return list(Task.objects.order_by("id"))


def _levels():
    return sorted(Task.objects.values_list("level", flat=True))


def _late(tasks) -> dt.datetime:
    """A minute past the tasks' deadline."""
    return max(t.deadline_at for t in tasks) + dt.timedelta(minutes=1)


def test_an_overdue_retest_goes_up_one_level_each_interval_to_the_district(retests):
    late = _late(retests)
    assert escalate_overdue_tasks(late) == (2, False)
    assert _levels() == ["community", "community"]
    assert {t.escalated_at for t in Task.objects.all()} == {late}
    assert {t.assignee_id for t in Task.objects.all()} == {retests[0].assignee_id}  # still theirs
    assert {t.deadline_at for t in Task.objects.all()} == {t.deadline_at for t in retests}
    # run again at once, or before the community's two hours are up: nothing moves
    assert escalate_overdue_tasks(late) == (0, False)
    almost = late + dt.timedelta(minutes=ESCALATED_MINUTES - 1)
    assert escalate_overdue_tasks(almost) == (0, False)
    street = late + dt.timedelta(minutes=ESCALATED_MINUTES)
    assert escalate_overdue_tasks(street) == (2, False)
    assert _levels() == ["street", "street"]
    district = street + dt.timedelta(minutes=ESCALATED_MINUTES)
    assert escalate_overdue_tasks(district) == (2, False)
    assert _levels() == ["district", "district"]
    later = district + dt.timedelta(days=1)
    assert escalate_overdue_tasks(later) == (0, False)  # the top: it stays there, overdue
    assert {t.escalated_at for t in Task.objects.all()} == {district}


def test_a_retest_taken_in_time_never_escalates(tree, people, retests):
    single = make_campaign(tree, pool_size=1, name="单管")
    swabbed_tube(people.grid_a, single, "HX600002", tree.person_a)
    late = _late(retests)
    assert escalate_overdue_tasks(late) == (1, False)  # 张小明's only
    done = Task.objects.get(person=tree.person_a)
    assert (done.status, done.level, done.escalated_at) == ("done", "grid", None)
    assert Task.objects.get(person=tree.child_a).level == "community"


def test_a_retest_still_in_time_stays_with_the_grid_worker(retests):
    before = min(t.deadline_at for t in retests) - dt.timedelta(minutes=1)
    assert escalate_overdue_tasks(before) == (0, False)
    assert _levels() == ["grid", "grid"]


def test_an_overdue_resample_escalates_too(tmp_path, tree, people, lab):
    swabbed_tube(people.grid_a, make_campaign(tree), "HX600005", tree.person_a, lab=lab)
    import_rows(tmp_path, [["HX600005", "无效", "", "", LAB, _when()]], lab=lab, user=people.lab)
    (task,) = Task.objects.all()
    assert task.kind == "resample"
    assert escalate_overdue_tasks(_late([task])) == (1, False)
    task.refresh_from_db()
    assert task.level == "community"


def test_a_step_says_when_more_work_is_waiting(retests):
    late = _late(retests)
    assert escalate_overdue_tasks(late, batch=1) == (1, True)
    assert escalate_overdue_tasks(late, batch=1) == (1, True)  # a full batch: more may wait
    assert escalate_overdue_tasks(late, batch=1) == (0, False)
    assert _levels() == ["community", "community"]


def test_the_escalate_command_runs_the_step_once_within_the_interval(retests):
    with time_machine.travel(_late(retests)):
        out = StringIO()
        call_command("escalate", stdout=out)
        assert f"escalated 2 {STEP}" in out.getvalue()
        out = StringIO()
        call_command("escalate", stdout=out)
        assert f"escalated 0 {STEP}" in out.getvalue()
    assert _levels() == ["community", "community"]


def test_the_escalate_command_says_it_escalates_retests():
    from fangkong.health.management.commands.escalate import Command

    assert "retests" in Command.help


def test_a_persons_life_from_the_pool_to_the_overdue_retest_on_the_communitys_list(
    tree, people, login, lab
):
    resident = make_person(tree.grid_a, name="赵六", household=tree.household_a)
    campaign = make_campaign(tree, pool_size=10)
    grid_worker = login(people.grid_a)
    grid_worker.post(reverse("screening:sample", args=[campaign.pk]), {"barcode": "HX610001"})
    pool = Tube.objects.get(barcode="HX610001")
    grid_worker.post(reverse("screening:tube", args=[pool.pk]), {"code": str(resident.pk)})
    grid_worker.post(reverse("screening:tube_close", args=[pool.pk]))
    grid_worker.post(reverse("screening:send"), {"lab": lab.pk, "tube": ["HX610001"]})
    data = lab_csv([["HX610001", "阳性", "27.1", "28.3", LAB, _when()]])
    login(people.lab).post(reverse("screening:lab"), {"file": SimpleUploadedFile("r.csv", data)})
    task = Task.objects.get(person=resident)
    assert task.deadline_at == task.created_at + dt.timedelta(hours=RETEST_HOURS)
    tasks_url = reverse("screening:tasks")
    community_b = create_user(
        username="community_b",
        password="pw-for-tests",
        role=Role.COMMUNITY,
        scope_region=tree.community_b,
    )
    # in time: the grid worker's alone
    assert "赵六" not in login(people.community).get(tasks_url).content.decode()
    swab_url = reverse("screening:task_swab", args=[task.pk])
    assert login(people.community).post(swab_url, {"barcode": "HX610009"}).status_code == 404

    with time_machine.travel(task.deadline_at + dt.timedelta(minutes=5)):
        call_command("escalate", stdout=StringIO())  # the timer, past the deadline
        community = login(people.community).get(tasks_url).content.decode()
        assert "赵六" in community and "已上报至社区" in community and "已超时" in community
        assert "红星第1网格" in community  # whose grid it is: not the community's own task
        landing = login(people.community).get(
            reverse("people:region", args=[tree.community_a.code])
        )
        assert "赵六" in landing.content.decode()  # on their first page's "my tasks"
        mine = login(people.grid_a).get(tasks_url).content.decode()
        assert "赵六" in mine and "已上报至社区" in mine  # still the grid worker's, marked
        assert "赵六" not in login(people.street).get(tasks_url).content.decode()  # not yet
        assert "赵六" not in login(community_b).get(tasks_url).content.decode()
        assert "赵六" not in login(people.grid_b).get(tasks_url).content.decode()
        api = login(people.community).get(reverse("api:list_my_tasks")).json()
        assert [(t["person_id"], t["level"]) for t in api] == [(resident.pk, "community")]

    with time_machine.travel(task.deadline_at + dt.timedelta(minutes=10 + ESCALATED_MINUTES)):
        call_command("escalate", stdout=StringIO())  # two hours on: the street hears of it
        street = login(people.street).get(tasks_url).content.decode()
        assert "赵六" in street and "已上报至街道" in street
        assert swab_url not in street  # the street chases; it does not swab
        assert login(people.street).post(swab_url, {"barcode": "HX610009"}).status_code == 403
        landing = login(people.street).get(reverse("people:region", args=[tree.street.code]))
        assert "赵六" in landing.content.decode()
        assert "赵六" in login(people.community).get(tasks_url).content.decode()
        # the grid worker takes the retest swab at last: closed for everyone
        grid_worker = login(people.grid_a)
        grid_worker.post(swab_url, {"barcode": "HX610002"})
        task.refresh_from_db()
        assert task.status == "done" and task.closed_by_tube.barcode == "HX610002"
        street = login(people.street).get(tasks_url).content.decode()
        assert swab_url not in street and "已上报至街道" not in street.split("<h2>")[0]
        community = login(people.community).get(tasks_url).content.decode()
        assert "已超时" not in community
        out = StringIO()
        call_command("escalate", stdout=out)
        assert f"escalated 0 {STEP}" in out.getvalue()


def test_community_staff_swab_a_task_escalated_to_them(tmp_path, tree, people, login, retests):
    escalate_overdue_tasks(_late(retests))
    task = retests[0]
    client = login(people.community)
    client.post(reverse("screening:task_swab", args=[task.pk]), {"barcode": "HX600003"})
    task.refresh_from_db()
    assert task.status == "done" and task.closed_by_tube.pool_size == 1


def test_the_task_list_costs_the_same_queries_for_more_escalated_tasks(
    tmp_path, tree, people, login, lab
):
    def escalated_page():
        Task.objects.update(deadline_at=timezone.now() - dt.timedelta(minutes=1))
        escalate_overdue_tasks(timezone.now())
        client = login(people.community)
        client.get(reverse("screening:tasks"))  # the session and the language, once
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("screening:tasks"))
        assert page.status_code == 200
        return len(queries)

    campaign = make_campaign(tree)
    swabbed_tube(people.grid_a, campaign, "HX620001", tree.person_a, lab=lab)
    import_rows(tmp_path, [["HX620001", "阳性", "", "", LAB, _when()]], lab=lab, user=people.lab)
    one = escalated_page()
    for n in range(3):
        person = make_person(tree.grid_a, name=f"住户{n}", household=tree.household_a)
        swabbed_tube(people.grid_a, campaign, f"HX62001{n}", person, lab=lab)
        import_rows(
            tmp_path, [[f"HX62001{n}", "阳性", "", "", LAB, _when()]], lab=lab, user=people.lab
        )
    assert escalated_page() == one
    assert Task.objects.filter(level="community").count() == 4
