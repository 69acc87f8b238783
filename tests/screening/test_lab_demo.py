"""The demo's lab: its account has a lab, the closed tubes are sent and reported but a few."""

from __future__ import annotations

from fangkong.screening.demo import AWAITING, demo_lab_results, ensure_demo_lab
from fangkong.screening.labmodels import LabResult, Task

from ..conftest import make_person
from .conftest import make_campaign
from .labhelpers import swabbed_tube


def test_the_demo_lab_reports_all_but_a_few_tubes_with_a_positive_pool_in_grid_a(tree, people):
    lab = ensure_demo_lab(people.lab)
    assert ensure_demo_lab(people.lab) == lab
    campaign = make_campaign(tree)
    for i in range(6):
        swabbed_tube(people.grid_a, campaign, f"HX95000{i}", make_person(tree.grid_a))
    demo_lab_results(lab, people.lab, tree.grid_a.path)
    assert LabResult.objects.count() == 6 - AWAITING
    assert set(LabResult.objects.values_list("result", flat=True)) == {
        "positive",
        "invalid",
        "negative",
    }
    assert Task.objects.filter(kind="retest", assignee=people.grid_a).count() == 1
    demo_lab_results(lab, people.lab, tree.grid_a.path)  # a second run leaves it as it is
    assert LabResult.objects.count() == 6 - AWAITING
