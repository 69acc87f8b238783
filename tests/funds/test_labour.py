"""Work resumption and labour placement: a village's returned workers from the registry's
returnee tag, their intentions, enterprises' daily reports, openings and placements."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fangkong.accounts.scope import scope_of
from fangkong.funds.choices import Intention, LabourStatus
from fangkong.funds.models import JobOpening, ResumptionReport, Returnee
from fangkong.funds.selectors import labour_figures
from fangkong.funds.services import (
    FundsInvalid,
    check_add_enterprise,
    check_add_opening,
    check_place,
    check_report_resumption,
    check_set_intention,
    register_returnees,
)

from ..conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def village(tree):
    for i in range(5):
        make_person(tree.grid_a, name=f"返乡{i}", tags=["returnee"])
    make_person(tree.grid_b, name="别村", tags=["returnee"])
    return tree.community_a


def test_returnees_come_from_the_registry_once(village, tree):
    assert register_returnees(region=village) == 5
    assert register_returnees(region=village) == 0
    assert Returnee.objects.count() == 5


def test_a_villages_figures_at_a_glance(village, tree, people):
    register_returnees(region=tree.street)
    r = list(Returnee.objects.filter(region_path__startswith=village.path).order_by("pk"))
    check_set_intention(returnee=r[0], intention=Intention.GO_OUT, done=True)
    check_set_intention(returnee=r[1], intention=Intention.STAY)
    check_set_intention(returnee=r[2], intention=Intention.GO_OUT)  # not yet gone
    shop = check_add_enterprise(name="红星食品厂", region=village)
    opening = check_add_opening(enterprise=shop, title="包装工", positions=1)
    check_place(returnee=r[3], opening=opening)
    total, children = labour_figures(scope_of(people.street), tree.street)
    assert total == {
        "returned": 6,
        "gone_out": 1,
        "staying": 1,
        "placed": 1,
        "to_place": 3,
    }
    by_name = {c.name: f for c, f in children}
    assert by_name["红星社区"]["to_place"] == 2 and by_name["芷园社区"]["returned"] == 1


def test_an_opening_is_never_filled_beyond_its_positions(village, tree):
    register_returnees(region=village)
    a, b = Returnee.objects.order_by("pk")[:2]
    opening = check_add_opening(
        enterprise=check_add_enterprise(name="厂", region=village), title="工", positions=1
    )
    check_place(returnee=a, opening=opening)
    with pytest.raises(FundsInvalid, match="filled"):
        check_place(returnee=b, opening=opening)
    b.refresh_from_db()
    assert (b.status, b.opening) == (LabourStatus.TO_PLACE, None)
    assert JobOpening.objects.get().filled == 1


def test_an_enterprise_reports_once_a_day_and_never_more_back_than_staff(tree):
    shop = check_add_enterprise(name="红星食品厂", region=tree.community_a)
    check_report_resumption(enterprise=shop, resumed=False, staff_total=40, staff_back=5)
    check_report_resumption(enterprise=shop, resumed=True, staff_total=40, staff_back=31)
    report = ResumptionReport.objects.get()
    assert (report.resumed, report.staff_back) == (True, 31)
    with pytest.raises(FundsInvalid, match="more than"):
        check_report_resumption(enterprise=shop, resumed=True, staff_total=4, staff_back=5)


def test_the_village_page_masks_and_records(village, tree, people, login):
    client = login(people.community)
    client.post(reverse("funds:labour_register"), {"region": village.code})
    page = client.get(reverse("funds:labour") + f"?region={village.code}").content.decode()
    person = Returnee.objects.select_related("person").first().person
    assert person.name in page and person.id_number not in page
    client.post(
        reverse("funds:intention", args=[Returnee.objects.first().pk]),
        {"intention": "stay", "region": village.code},
    )
    assert Returnee.objects.filter(status=LabourStatus.STAYING).count() == 1
    other = login(people.grid_b)
    assert other.get(reverse("funds:labour")).status_code == 403


def test_a_village_outside_the_scope_is_not_found(village, tree, people, login):
    client = login(people.community)
    response = client.get(reverse("funds:labour") + f"?region={tree.community_b.code}")
    assert response.status_code == 404
