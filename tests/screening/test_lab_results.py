"""Lab results into tubes: what each row does, conflicts (positive stands), duplicates, the
same file twice, and what a positive or invalid tube gives people to do."""

from __future__ import annotations

import csv
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fangkong.health.models import Observation
from fangkong.screening.labmodels import HouseholdFlag, LabResult, ResultConflict, Task
from fangkong.screening.models import Tube

from ..conftest import make_person
from .conftest import make_campaign
from .labhelpers import import_rows, lab_csv, make_lab, swabbed_tube

LAB = "芙蓉区疾控中心实验室"


def _when(hour=18):
    return timezone.localdate().strftime("%Y-%m-%d") + f" {hour:02d}:30"


@pytest.fixture
def lab(tree, people):
    return make_lab(tree, people)


@pytest.fixture
def pooled(tree, people, lab):
    """A 5-swab campaign; tube HX100001 holds 张伟 and 张小明, sent to the lab."""
    campaign = make_campaign(tree)
    tube = swabbed_tube(people.grid_a, campaign, "HX100001", tree.person_a, tree.child_a, lab=lab)
    return campaign, tube


def _rejects(tmp_path):
    with open(tmp_path / "results-rejects.csv", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def test_a_negative_tube_is_resulted_with_its_ct_values_and_gives_no_task(
    tmp_path, people, lab, pooled
):
    _campaign, tube = pooled
    result = import_rows(
        tmp_path, [["HX100001", "阴性", "", "", LAB, _when()]], lab=lab, user=people.lab
    )
    assert (result.read, result.applied, result.rejected) == (1, 1, [])
    stored = LabResult.objects.get(tube=tube)
    assert stored.result == "negative" and stored.lab == lab and stored.source_row == 3
    assert Tube.objects.get(pk=tube.pk).status == "resulted"
    assert result.retest_tasks == result.resample_tasks == 0
    assert not Task.objects.exists()


def test_a_positive_pool_puts_every_member_under_watch_with_a_retest_for_their_grid_worker(
    tmp_path, tree, people, lab, pooled
):
    _campaign, tube = pooled
    result = import_rows(
        tmp_path, [["HX100001", "阳", "28.5", "30.1", LAB, _when()]], lab=lab, user=people.lab
    )
    assert (result.positive_tubes, result.retest_tasks) == (1, 2)
    tasks = Task.objects.filter(tube=tube)
    assert {t.person_id for t in tasks} == {tree.person_a.pk, tree.child_a.pk}
    assert {t.kind for t in tasks} == {"retest"}
    assert {t.assignee_id for t in tasks} == {people.grid_a.pk}
    assert all(t.deadline_at > timezone.now() for t in tasks)
    watches = Observation.objects.filter(person__in=[tree.person_a, tree.child_a])
    assert watches.count() == 2
    assert all("HX100001" in o.reason and o.kind == "home_isolation" for o in watches)
    # the region's rule: 14 days by default
    assert all((o.end_on - o.start_on).days == 13 for o in watches)
    assert HouseholdFlag.objects.filter(household=tree.household_a, tube=tube).count() == 1
    stored = LabResult.objects.get(tube=tube)
    assert (str(stored.ct_orf1ab), str(stored.ct_n)) == ("28.50", "30.10")


def test_a_positive_pool_in_a_grid_without_its_worker_gives_the_retests_to_the_community(
    tmp_path, tree, people, lab
):
    from fangkong.accounts.models import User

    User.objects.filter(pk=people.grid_a.pk).update(is_active=False)  # the worker has left
    tube = swabbed_tube(people.community, make_campaign(tree), "HX100009", tree.person_a, lab=lab)
    result = import_rows(
        tmp_path, [["HX100009", "阳性", "", "", LAB, _when()]], lab=lab, user=people.lab
    )
    assert result.retest_tasks == 1
    (task,) = Task.objects.filter(tube=tube)
    assert task.assignee_id == people.community.pk  # on the community staff's phone, not nobody's


def test_someone_already_under_watch_keeps_their_period(tmp_path, tree, people, lab, pooled):
    from fangkong.accounts.scope import scope_of
    from fangkong.health.services import check_start_observation

    check_start_observation(
        user=people.grid_a,
        scope=scope_of(people.grid_a),
        person=tree.person_a,
        kind="home_observation",
        reason="返乡",
    )
    import_rows(tmp_path, [["HX100001", "阳性", "", "", LAB, _when()]], lab=lab, user=people.lab)
    assert Observation.objects.filter(person=tree.person_a).count() == 1
    assert Observation.objects.filter(person=tree.child_a).count() == 1


def test_an_invalid_tube_gives_a_resample_task_per_member_and_is_not_counted_resulted(
    tmp_path, tree, people, lab, pooled
):
    from fangkong.accounts.scope import scope_of
    from fangkong.screening import selectors

    campaign, tube = pooled
    result = import_rows(
        tmp_path, [["HX100001", "无效", "", "", LAB, _when()]], lab=lab, user=people.lab
    )
    assert (result.invalid_tubes, result.resample_tasks, result.retest_tasks) == (1, 2, 0)
    assert not Observation.objects.exists()
    figures = selectors.coverage(scope_of(people.community), campaign, tree.community_a).total
    assert (figures.sampled, figures.resulted, figures.positive) == (2, 0, 0)


def test_coverage_counts_resulted_and_positive(tmp_path, tree, people, lab, pooled, capsys):
    campaign, _tube = pooled
    other = make_person(tree.grid_a, name="王五")
    swabbed_tube(people.grid_a, campaign, "HX100002", other, lab=lab)
    import_rows(
        tmp_path,
        [["HX100001", "阳性", "", "", LAB, _when()], ["HX100002", "阴性", "", "", LAB, _when()]],
        lab=lab,
        user=people.lab,
    )
    call_command("screening", "coverage", "--campaign", str(campaign.pk), "--json")
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (figures["sampled"], figures["resulted"], figures["positive"]) == (3, 3, 2)


def test_a_contradiction_in_one_file_lets_the_positive_stand_and_lists_the_other(
    tmp_path, people, lab, pooled
):
    _campaign, tube = pooled
    rows = [
        ["HX100001", "阴性", "", "", LAB, _when(17)],
        ["HX100001", "阳性", "31", "", LAB, _when()],
    ]
    result = import_rows(tmp_path, rows, lab=lab, user=people.lab)
    assert (result.applied, result.conflicts, len(result.rejected)) == (1, 1, 1)
    assert LabResult.objects.get(tube=tube).result == "positive"
    conflict = ResultConflict.objects.get()
    assert (conflict.reported, conflict.standing, conflict.source_row) == (
        "negative",
        "positive",
        3,
    )
    reasons = _rejects(tmp_path)
    assert reasons[0][-1] == "错误原因"
    assert "HX100001" in reasons[1][-1] and "Positive stands" in reasons[1][-1]


def test_a_later_positive_overturns_a_stored_negative_and_the_negative_is_kept_to_confirm(
    tmp_path, tree, people, lab, pooled
):
    _campaign, tube = pooled
    import_rows(tmp_path, [["HX100001", "阴性", "", "", LAB, _when(12)]], lab=lab, user=people.lab)
    later = import_rows(
        tmp_path,
        [["HX100001", "阳性", "", "", LAB, _when()]],
        lab=lab,
        user=people.lab,
        name="b.csv",
    )
    assert (later.applied, later.conflicts, later.retest_tasks) == (1, 1, 2)
    assert LabResult.objects.get(tube=tube).result == "positive"
    assert ResultConflict.objects.get().reported == "negative"


def test_a_negative_after_a_positive_is_a_conflict_and_changes_nothing(
    tmp_path, people, lab, pooled
):
    _campaign, tube = pooled
    import_rows(tmp_path, [["HX100001", "阳性", "", "", LAB, _when(12)]], lab=lab, user=people.lab)
    later = import_rows(
        tmp_path, [["HX100001", "阴", "", "", LAB, _when()]], lab=lab, user=people.lab, name="b.csv"
    )
    assert (later.applied, later.conflicts, later.retest_tasks) == (0, 1, 0)
    assert LabResult.objects.get(tube=tube).result == "positive"


def test_an_identical_repeat_is_a_duplicate(tmp_path, people, lab, pooled):
    rows = [["HX100001", "阴性", "", "", LAB, _when()], ["HX-100001", "阴", "", "", LAB, _when()]]
    result = import_rows(tmp_path, rows, lab=lab, user=people.lab)
    assert (result.applied, result.duplicates, result.rejected) == (1, 1, [])


def test_importing_the_same_file_again_changes_nothing(tmp_path, tree, people, lab, pooled):
    campaign, _tube = pooled
    swabbed_tube(people.grid_a, campaign, "HX100002", make_person(tree.grid_a), lab=lab)
    rows = [
        ["HX100001", "阴性", "", "", LAB, _when(17)],
        ["HX100001", "阳性", "", "", LAB, _when()],
        ["HX100002", "无效", "", "", LAB, _when()],
        ["HX999999", "阴性", "", "", LAB, _when()],
        ["HX100002", "看不清", "", "", LAB, _when()],
    ]
    first = import_rows(tmp_path, rows, lab=lab, user=people.lab)
    counts = (
        LabResult.objects.count(),
        ResultConflict.objects.count(),
        Task.objects.count(),
        Observation.objects.count(),
        HouseholdFlag.objects.count(),
    )
    second = import_rows(tmp_path, rows, lab=lab, user=people.lab)
    assert counts == (2, 1, 3, 2, 1)
    assert (
        LabResult.objects.count(),
        ResultConflict.objects.count(),
        Task.objects.count(),
        Observation.objects.count(),
        HouseholdFlag.objects.count(),
    ) == counts
    assert (first.applied, second.applied) == (2, 0)
    assert (second.duplicates, second.conflicts, second.unknown) == (2, 1, 1)
    assert (second.retest_tasks, second.resample_tasks) == (0, 0)
    assert (second.positive_tubes, second.invalid_tubes) == (1, 1)
    assert len(second.rejected) == 3


def test_a_row_without_a_readable_result_is_rejected_with_what_is_allowed(
    tmp_path, people, lab, pooled
):
    rows = [
        ["HX100001", "", "", "", LAB, _when()],
        ["HX100001", "待定", "", "", LAB, _when()],
        ["HX100001", "阴性", "abc", "", LAB, _when()],
        ["HX100001", "阴性", "", "", LAB, "昨天"],
    ]
    result = import_rows(tmp_path, rows, lab=lab, user=people.lab)
    assert result.applied == 0 and len(result.rejected) == 4
    reasons = [r.reason for r in result.rejected]
    assert "检测结果 is missing" in reasons[0]
    assert "阴性, 阳性, 无效" in reasons[1]
    assert "ORF1ab" in reasons[2] and "0 to 50" in reasons[2]
    assert "报告时间" in reasons[3]


def test_a_lab_cannot_report_another_labs_tube_nor_learn_that_it_exists(
    tmp_path, tree, people, lab
):
    from fangkong.accounts.choices import Role
    from fangkong.accounts.services import create_user
    from fangkong.screening.services.labs import do_register_lab

    other_user = create_user(
        username="lab2", password="x-pw-1234", role=Role.LAB, scope_region=tree.district
    )
    other = do_register_lab(
        code="LAB2", name="第二实验室", region=tree.district, operators=[other_user]
    )
    campaign = make_campaign(tree)
    swabbed_tube(people.grid_a, campaign, "HX200001", tree.person_a, lab=other)
    swabbed_tube(people.grid_a, campaign, "HX200002", tree.child_a)  # sent nowhere
    rows = [
        ["HX200001", "阳性", "", "", LAB, _when()],
        ["HX200002", "阳性", "", "", LAB, _when()],
        ["HX299999", "阳性", "", "", LAB, _when()],
    ]
    result = import_rows(tmp_path, rows, lab=lab, user=people.lab)
    assert (result.applied, result.unknown) == (0, 3)
    reasons = {
        r.reason.replace(code, "#")
        for r, code in zip(result.rejected, ["HX200001", "HX200002", "HX299999"], strict=True)
    }
    assert len(reasons) == 1  # the same words for another lab's tube, an unsent one, none at all
    assert not LabResult.objects.exists() and not Task.objects.exists()


def test_the_command_line_names_the_lab_by_its_column_and_records_the_tube_as_sent(
    tmp_path, tree, people, lab, capsys
):
    campaign = make_campaign(tree)
    tube = swabbed_tube(people.grid_a, campaign, "HX300001", tree.person_a)
    path = tmp_path / "lab.csv"
    path.write_bytes(
        lab_csv([["HX300001", "阳性", "25", "26", LAB, _when()], ["HX3", "阴性", "", "", LAB, ""]])
    )
    call_command("import", "labresults", str(path), "--json")
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert list(out) == [
        "read",
        "applied",
        "duplicates",
        "unknown",
        "conflicts",
        "rejected",
        "positive_tubes",
        "invalid_tubes",
        "retest_tasks",
        "resample_tasks",
        "rejects_file",
    ]
    assert (out["read"], out["applied"], out["rejected"], out["retest_tasks"]) == (2, 1, 1, 1)
    assert out["rejects_file"] == str(tmp_path / "lab-rejects.csv")
    assert Tube.objects.get(pk=tube.pk).dispatch.lab == lab
    call_command("import", "labresults", str(path), "--json")
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (again["applied"], again["duplicates"], again["retest_tasks"]) == (0, 1, 0)


def test_the_command_line_refuses_a_file_that_is_not_a_lab_report(tmp_path, db):
    path = tmp_path / "x.csv"
    path.write_text("姓名,电话\n张三,138\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no header row"):
        call_command("import", "labresults", str(path))


def test_the_command_line_says_which_lab_is_unknown(tmp_path, tree, people):
    campaign = make_campaign(tree)
    swabbed_tube(people.grid_a, campaign, "HX400001", tree.person_a)
    path = tmp_path / "lab.csv"
    path.write_bytes(lab_csv([["HX400001", "阴性", "", "", "某某检测公司", _when()]]))
    call_command("import", "labresults", str(path))
    reasons = list(csv.reader(open(tmp_path / "lab-rejects.csv", encoding="utf-8-sig")))
    assert "某某检测公司" in reasons[1][-1] and "not a registered lab" in reasons[1][-1]
