"""The lab's pages and API, a grid worker's tasks, and a person's life across paths: registered,
swabbed into a pooled tube, the tube positive, under watch with a retest on the grid worker's
list, swabbed into a single tube, the task done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fangkong.accounts.choices import Role
from fangkong.accounts.services import create_user
from fangkong.health.models import Observation
from fangkong.screening.labmodels import HouseholdFlag, LabResult, ResultConflict, Task
from fangkong.screening.services.labs import do_register_lab

from ..conftest import make_person
from .conftest import make_campaign
from .labhelpers import import_rows, lab_csv, make_lab, swabbed_tube

LAB = "芙蓉区疾控中心实验室"


def _when():
    return timezone.localdate().strftime("%Y-%m-%d") + " 18:30"


@pytest.fixture
def lab(tree, people):
    return make_lab(tree, people)


@pytest.fixture
def other_lab(tree):
    user = create_user(
        username="lab2", password="pw-for-tests", role=Role.LAB, scope_region=tree.district
    )
    lab = do_register_lab(code="LAB2", name="第二实验室", region=tree.district, operators=[user])
    lab.operator = user
    return lab


@pytest.fixture
def tube(tree, people, lab):
    campaign = make_campaign(tree)
    return swabbed_tube(people.grid_a, campaign, "HX500001", tree.person_a, tree.child_a, lab=lab)


def test_a_lab_operator_lands_on_their_lab_with_the_tubes_awaiting_results(
    tree, people, login, lab, tube
):
    client = login(people.lab)
    response = client.get(reverse("people:home"))
    assert response["Location"] == reverse("screening:lab")
    page = client.get(reverse("screening:lab")).content.decode()
    assert "HX500001" in page and "2/5" in page
    assert LAB in page
    assert "张伟" not in page and "张小明" not in page  # never who is in a tube


def test_a_lab_operator_uploads_results_and_sees_the_import_and_its_refused_rows(
    tree, people, login, lab, tube
):
    client = login(people.lab)
    data = lab_csv(
        [["HX500001", "阳性", "30", "31", LAB, _when()], ["HX0", "阴性", "", "", "", ""]]
    )
    response = client.post(
        reverse("screening:lab"), {"file": SimpleUploadedFile("结果.csv", data)}, follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert LabResult.objects.get(tube=tube).result == "positive"
    assert "结果.csv" in page
    batch = LabResult.objects.get().batch
    rejects = client.get(reverse("screening:lab_rejects", args=[batch.pk]))
    assert rejects.status_code == 200
    body = b"".join(rejects.streaming_content).decode("utf-8-sig")
    assert "错误原因" in body and "HX0" in body
    assert "HX500001" not in body


def test_another_labs_operator_sees_none_of_it(tree, people, login, lab, tube, other_lab):
    client = login(other_lab.operator)
    page = client.get(reverse("screening:lab")).content.decode()
    assert "HX500001" not in page
    found = client.get(reverse("screening:lab") + "?barcode=HX500001").content.decode()
    assert "HX500001" in found and "2/5" not in found  # told it was not sent here, no counts
    data = lab_csv([["HX500001", "阴性", "", "", LAB, _when()]])
    client.post(reverse("screening:lab"), {"file": SimpleUploadedFile("r.csv", data)})
    assert not LabResult.objects.exists()


def test_guessed_ids_of_another_labs_imports_and_conflicts_answer_404(
    tmp_path, tree, people, login, lab, tube, other_lab
):
    rows = [["HX500001", "阴性", "", "", LAB, _when()], ["HX500001", "阳性", "", "", LAB, _when()]]
    result = import_rows(tmp_path, rows, lab=lab, user=people.lab)
    conflict = ResultConflict.objects.get()
    client = login(other_lab.operator)
    assert client.get(reverse("screening:lab_rejects", args=[result.batch.pk])).status_code == 404
    assert client.post(reverse("screening:lab_confirm", args=[conflict.pk])).status_code == 404
    assert ResultConflict.objects.get().confirmed_at is None
    own = login(people.lab)
    assert own.post(reverse("screening:lab_confirm", args=[conflict.pk])).status_code == 302
    assert ResultConflict.objects.get().confirmed_by == people.lab


def test_the_api_takes_a_lab_file_and_lists_the_labs_tubes(tree, people, login, lab, tube):
    client = login(people.lab)
    waiting = client.get(reverse("api:list_lab_tubes")).json()
    assert [t["barcode"] for t in waiting] == ["HX500001"]
    assert set(waiting[0]) == {"barcode", "swabs", "pool_size", "sent_at", "result"}
    data = lab_csv([["HX500001", "无效", "", "", LAB, _when()]])
    out = client.post(
        reverse("api:import_lab_results_file"), {"file": SimpleUploadedFile("r.csv", data)}
    ).json()
    assert (out["applied"], out["invalid_tubes"], out["resample_tasks"]) == (1, 1, 2)
    assert client.get(reverse("api:list_lab_tubes")).json() == []


def test_the_api_refuses_a_file_that_is_not_results(tree, people, login, lab):
    client = login(people.lab)
    response = client.post(
        reverse("api:import_lab_results_file"),
        {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")},
    )
    assert response.status_code == 422
    assert "表头" in response.json()["detail"]


def test_only_lab_operators_reach_the_lab(tree, people, login, lab):
    for persona in ("grid_a", "hq", "community", "volunteer", "warehouse"):
        assert login(people[persona]).get(reverse("screening:lab")).status_code == 403


def test_a_lab_account_not_yet_given_a_lab_is_refused_its_files(tree, people, login):
    client = login(people.lab)
    assert client.get(reverse("screening:lab")).status_code == 200  # told whom to ask
    assert client.get(reverse("api:list_lab_tubes")).status_code == 403
    assert client.get(reverse("screening:lab_rejects", args=[1])).status_code == 403


def test_samplers_send_closed_tubes_and_a_second_send_is_a_retry(tree, people, login, lab):
    campaign = make_campaign(tree)
    swabbed_tube(people.grid_a, campaign, "HX600001", tree.person_a)
    client = login(people.grid_a)
    assert "HX600001" in client.get(reverse("screening:send")).content.decode()
    body = {"lab": lab.pk, "barcodes": ["HX600001", "HX699999"]}
    out = client.post(reverse("api:send_tubes"), body, content_type="application/json").json()
    assert out["sent"] == ["HX600001"] and out["refused"][0]["barcode"] == "HX699999"
    again = client.post(reverse("api:send_tubes"), body, content_type="application/json").json()
    assert again["sent"] == [] and again["already"] == ["HX600001"]
    assert "HX600001" in login(people.lab).get(reverse("screening:lab")).content.decode()


def test_a_grid_worker_cannot_send_another_grids_tube(tree, people, login, lab):
    campaign = make_campaign(tree, region=tree.street)
    swabbed_tube(people.grid_a, campaign, "HX700001", tree.person_a)
    out = login(people.grid_b).post(
        reverse("api:send_tubes"),
        {"lab": lab.pk, "barcodes": ["HX700001"]},
        content_type="application/json",
    )
    assert out.json()["sent"] == []


def test_a_persons_life_from_the_pool_to_the_closed_retest(tmp_path, tree, people, login, lab):
    # registered
    resident = make_person(tree.grid_a, name="赵六", household=tree.household_a)
    # swabbed in a pooled tube (10 a tube) on the grid worker's phone, tube closed and sent
    campaign = make_campaign(tree, pool_size=10)
    grid_worker = login(people.grid_a)
    grid_worker.post(reverse("screening:sample", args=[campaign.pk]), {"barcode": "HX800001"})
    from fangkong.screening.models import Tube

    pool = Tube.objects.get(barcode="HX800001")
    grid_worker.post(reverse("screening:tube", args=[pool.pk]), {"code": str(resident.pk)})
    grid_worker.post(reverse("screening:tube_close", args=[pool.pk]))
    grid_worker.post(reverse("screening:send"), {"lab": lab.pk, "tube": ["HX800001"]})
    # the lab finds the tube positive
    lab_client = login(people.lab)
    data = lab_csv([["HX800001", "阳性", "27.1", "28.3", LAB, _when()]])
    lab_client.post(reverse("screening:lab"), {"file": SimpleUploadedFile("r.csv", data)})
    # under watch at once, the household flagged, a retest on the grid worker's list
    watch = Observation.objects.get(person=resident)
    assert watch.active_on(
        timezone.localdate()
    ) and watch.end_on >= timezone.localdate() + dt.timedelta(days=13)
    assert HouseholdFlag.objects.filter(household=tree.household_a).exists()
    task = Task.objects.get(person=resident)
    assert (task.kind, task.status, task.assignee) == ("retest", "open", people.grid_a)
    grid_worker = login(people.grid_a)
    landing = grid_worker.get(reverse("people:region", args=[tree.grid_a.code])).content.decode()
    assert "赵六" in landing and reverse("screening:tasks") in landing
    assert "赵六" in grid_worker.get(reverse("screening:tasks")).content.decode()
    # the retest swab: one single tube scanned on the task
    grid_worker.post(reverse("screening:task_swab", args=[task.pk]), {"barcode": "HX800002"})
    task.refresh_from_db()
    assert task.status == "done" and task.closed_by_tube.barcode == "HX800002"
    assert task.closed_by_tube.pool_size == 1 and task.closed_by_tube.status == "closed"
    page = grid_worker.get(reverse("screening:tasks")).content.decode()
    assert reverse("screening:task_swab", args=[task.pk]) not in page  # nothing left to swab
    assert "赵六" in page  # under "done lately"
    assert not Task.objects.filter(status="open").exists()


def test_a_retest_is_not_closed_by_another_pooled_swab(tmp_path, tree, people, lab, tube):
    import_rows(tmp_path, [["HX500001", "阳性", "", "", LAB, _when()]], lab=lab, user=people.lab)
    campaign = make_campaign(tree, pool_size=5, name="第二轮")
    swabbed_tube(people.grid_a, campaign, "HX500002", tree.person_a)
    assert Task.objects.get(person=tree.person_a).status == "open"
    single = make_campaign(tree, pool_size=1, name="单管")
    swabbed_tube(people.grid_a, single, "HX500003", tree.person_a)
    assert Task.objects.get(person=tree.person_a).status == "done"
    assert Task.objects.get(person=tree.child_a).status == "open"


def test_a_resample_is_closed_by_any_new_swab(tmp_path, tree, people, lab, tube):
    import_rows(tmp_path, [["HX500001", "无效", "", "", LAB, _when()]], lab=lab, user=people.lab)
    campaign = make_campaign(tree, pool_size=5, name="第二轮")
    swabbed_tube(people.grid_a, campaign, "HX500002", tree.person_a, tree.child_a)
    assert set(Task.objects.values_list("status", flat=True)) == {"done"}


def test_tasks_are_their_assignees_only(tmp_path, tree, people, login, lab, tube):
    import_rows(tmp_path, [["HX500001", "阳性", "", "", LAB, _when()]], lab=lab, user=people.lab)
    task = Task.objects.first()
    grid_b = login(people.grid_b)
    assert "张伟" not in grid_b.get(reverse("screening:tasks")).content.decode()
    assert grid_b.get(reverse("api:list_my_tasks")).json() == []
    response = grid_b.post(reverse("screening:task_swab", args=[task.pk]), {"barcode": "HX1"})
    assert response.status_code == 404
    assert len(login(people.grid_a).get(reverse("api:list_my_tasks")).json()) == 2


def test_a_retried_task_swab_is_stored_once(tmp_path, tree, people, login, lab, tube):
    import uuid

    from fangkong.screening.models import Sample

    import_rows(tmp_path, [["HX500001", "阳性", "", "", LAB, _when()]], lab=lab, user=people.lab)
    task = Task.objects.get(person=tree.person_a)
    client = login(people.grid_a)
    body = {"barcode": "HX500009", "client_id": str(uuid.uuid4())}
    url = reverse("screening:task_swab", args=[task.pk])
    client.post(url, body)
    again = client.post(url, body, follow=True)
    assert Sample.objects.filter(person=tree.person_a, tube__barcode="HX500009").count() == 1
    assert "HX500009" in again.content.decode() and "任务完成" in again.content.decode()
