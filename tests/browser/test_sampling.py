"""A sampler on a phone: a hand-held scanner types a tube's barcode and presses Enter, people go
in by their code, their resident page's QR and the picker, and the tube closes at its pool size;
in a stairwell without signal the scans wait on the phone and are sent, once, when it returns."""

import pytest
from django.urls import reverse

from fangkong.people.codes import person_code
from fangkong.screening.choices import TubeStatus
from fangkong.screening.models import Sample, Tube

from ..conftest import make_person
from ..screening.conftest import make_campaign, open_tube
from .conftest import fits_the_phone, log_in, shot

pytestmark = pytest.mark.browser


def _scan(page, selector, text):
    """What a hand-held scanner does: type the characters fast, then Enter."""
    page.locator(selector).press_sequentially(text, delay=5)
    page.locator(selector).press("Enter")


def _swabs_listed(page, n):
    """The server's page of the tube lists n swabs (the phone's own count shows sooner)."""
    page.wait_for_selector(f"ol.members > li:nth-child({n}) small")
    assert page.locator("ol.members > li").count() == n


def _neighbours(tree, n):
    return [make_person(tree.grid_a, name=f"邻居{i}", household=tree.household_a) for i in range(n)]


def test_a_sampler_fills_a_tube_by_scanner_qr_and_picker(live_server, tree, people, phone):
    campaign = make_campaign(tree, pool_size=5)
    extra = _neighbours(tree, 3)
    log_in(phone, live_server, "grid_a")
    phone.goto(live_server.url + reverse("screening:sample", args=[campaign.pk]))
    _scan(phone, "#barcode", "hx-0001 23")
    phone.wait_for_url("**/screening/tubes/*/")
    tube = Tube.objects.get()
    assert tube.barcode == "HX000123" and "HX000123" in phone.locator("h1").inner_text()
    fits_the_phone(phone)
    shot(phone, "sampling-tube")

    _scan(phone, "#code", f"P{tree.person_a.pk}")  # the code of their record
    _swabs_listed(phone, 1)
    assert "张伟" in phone.locator("ol.members").inner_text()
    _scan(phone, "#code", person_code(tree.child_a.pk))  # the QR of their resident page
    _swabs_listed(phone, 2)

    phone.get_by_label("或选择人员").press_sequentially("邻居0", delay=50)
    phone.locator(".pick-row").first.wait_for()
    phone.locator(".pick-row").first.click()
    phone.locator("#pick-person .picked").wait_for()  # the choice is back before Add is pressed
    phone.locator("form:has(.picker-field) button.primary").click()
    _swabs_listed(phone, 3)

    _scan(phone, "#code", f"P{extra[1].pk}")
    _swabs_listed(phone, 4)
    _scan(phone, "#code", f"P{extra[2].pk}")
    phone.wait_for_selector("#queue-note:text('已满')")
    shot(phone, "sampling-full")
    tube.refresh_from_db()
    assert tube.status == TubeStatus.CLOSED
    assert Sample.objects.filter(tube=tube).count() == 5
    assert phone.locator("#code").count() == 0  # no field to add a sixth
    assert "5/5" in phone.locator("h1").inner_text()


def test_scans_without_signal_wait_on_the_phone_and_are_sent_once(live_server, tree, people, phone):
    campaign = make_campaign(tree, pool_size=5)
    tube = open_tube(people.grid_a, campaign)
    log_in(phone, live_server, "grid_a")
    phone.goto(live_server.url + reverse("screening:tube", args=[tube.pk]))

    phone.context.set_offline(True)
    _scan(phone, "#code", f"P{tree.person_a.pk}")
    phone.wait_for_selector("#queue-status:text('1 条待发送')")
    assert "没有网络" in phone.locator("#queue-status").inner_text()
    shot(phone, "sampling-waiting")
    assert not Sample.objects.exists()

    phone.context.set_offline(False)
    phone.locator("#queue-status").wait_for(state="hidden")
    _swabs_listed(phone, 1)
    assert Sample.objects.filter(tube=tube, person=tree.person_a).count() == 1

    # The answer to the next upload is lost on the way back: the swab is stored, the phone
    # does not know it and keeps it; opened again, the page sends it again, and it is one swab.
    def lose_the_answer(route):
        route.fetch()
        route.abort()

    phone.route("**/api/v1/screening/swabs", lose_the_answer)
    with phone.expect_event("requestfailed"):
        _scan(phone, "#code", f"P{tree.child_a.pk}")
    phone.wait_for_selector("#queue-status:text('1 条待发送')")
    assert Sample.objects.filter(person=tree.child_a).count() == 1
    phone.unroute("**/api/v1/screening/swabs")
    phone.reload()  # the page opened again sends what waits, and the queue empties
    phone.locator("#queue-status").wait_for(state="hidden")
    _swabs_listed(phone, 2)
    assert Sample.objects.filter(tube=tube).count() == 2
    assert Sample.objects.filter(person=tree.child_a).count() == 1


def test_a_tube_scanned_without_signal_is_opened_when_it_returns(live_server, tree, people, phone):
    campaign = make_campaign(tree, pool_size=5)
    log_in(phone, live_server, "grid_a")
    phone.goto(live_server.url + reverse("screening:sample", args=[campaign.pk]))
    phone.context.set_offline(True)
    _scan(phone, "#barcode", "HX000777")
    phone.wait_for_selector("#offline-tube:has-text('HX000777')")
    _scan(phone, "#offline-code", f"P{tree.person_a.pk}")
    _scan(phone, "#offline-code", f"P{tree.child_a.pk}")
    phone.wait_for_selector("#queue-status:text('2 条待发送')")
    assert "2/5" in phone.locator("#tube-count").inner_text()
    fits_the_phone(phone)
    shot(phone, "sampling-offline-tube")
    assert not Tube.objects.exists()

    phone.context.set_offline(False)
    phone.wait_for_url("**/screening/tubes/*/")
    tube = Tube.objects.get()
    assert tube.barcode == "HX000777"
    assert sorted(Sample.objects.filter(tube=tube).values_list("person_id", flat=True)) == sorted(
        [tree.person_a.pk, tree.child_a.pk]
    )
    _swabs_listed(phone, 2)
