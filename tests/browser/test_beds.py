"""A hospital operator on a phone: lands on their hospital, counts its beds, admits a patient
the day's plan sends and discharges one, the page never wider than the screen."""

import pytest

from fangkong.beds.models import BedStock, Patient

from ..beds.conftest import Beds
from ..beds.helpers import planned
from .conftest import fits_the_phone, log_in, shot

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_hospital_operator_counts_beds_admits_and_discharges_on_a_phone(
    live_server, tree, people, phone
):
    beds = Beds(tree, people)
    coming = planned(tree, beds.hospital, "ward", 2)
    log_in(phone, live_server, "hospital")
    assert "芙蓉区定点医院" in phone.content() and "即将入院" in phone.content()
    fits_the_phone(phone)
    shot(phone, "beds-facility")
    phone.fill("input[name=ward-occupied]", "3")
    phone.fill("input[name=ward-blocked]", "1")
    with phone.expect_navigation():
        phone.click("#report-beds button.primary")
    assert "床位已上报" in phone.locator("[role=status]").inner_text()
    ward = BedStock.objects.get(facility=beds.hospital, bed_type="ward")
    assert (ward.occupied, ward.blocked, ward.reported_by_id) == (3, 1, people.hospital.pk)
    with phone.expect_navigation():
        phone.locator("#coming li").first.locator("button.primary").click()
    assert "已收治" in phone.locator("[role=status]").inner_text()
    assert Patient.objects.filter(pk__in=[p.pk for p in coming], status="admitted").count() == 1
    # the last free ward bed went: the second is refused, saying why
    with phone.expect_navigation():
        phone.locator("#coming li").first.locator("button.primary").click()
    assert "已没有空余的普通隔离病房床位" in phone.locator("[role=status]").inner_text()
    fits_the_phone(phone)
    phone.locator("#lying summary").first.click()
    phone.select_option("#lying select[name=outcome]", "recovered")
    with phone.expect_navigation():
        phone.locator("#lying button.secondary").first.click()
    assert "已出院" in phone.locator("[role=status]").inner_text()
    assert BedStock.objects.get(facility=beds.hospital, bed_type="ward").occupied == 3
    fits_the_phone(phone)
    shot(phone, "beds-facility-after")
