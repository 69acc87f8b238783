"""The residents' QR page: doors, not people, until a resident proves their household."""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid

import pytest
from django.core import signing
from django.urls import reverse

from fangkong.accounts.models import AuditEntry
from fangkong.accounts.scope import scope_of
from fangkong.health.models import Alert, CheckIn
from fangkong.health.services import issue_building_link, link_token
from fangkong.health.services.links import (
    HOUSEHOLD_SALT,
    household_code,
    household_token,
    member_key,
)
from fangkong.health.views.resident import age_band, floor_of
from fangkong.regions.models import Building, Household

from ..conftest import make_person

# Ids far from any number the page shows (door numbers, temperatures, years), so that finding
# one in a response means an id leaked.
HOUSEHOLD_IDS = (700_011, 700_012, 700_013, 700_014)
PERSON_IDS = (800_021, 800_022, 800_023, 800_024, 800_025)
BUILDING_ID = 600_031


class Block:
    """Building 10栋 of grid A: unit 1 floors 1, 2 and 10, unit 2 floor 1.

    1-101 李刚 (户主, born 1983, phone …4321) and his son 李明 (2 years old, no phone);
    1-1001 王兰 (phone …8888); 1-201 赵强 and 赵芳, nobody with a phone; 2-101 empty."""

    def __init__(self, tree, grid_worker):
        grid = tree.grid_a
        self.building = Building.objects.create(
            pk=BUILDING_ID, grid=grid, region_path=grid.path, name="10栋"
        )
        doors = [("1", "101"), ("1", "1001"), ("1", "201"), ("2", "101")]
        self.li, self.wang, self.zhao, self.empty = (
            Household.objects.create(
                pk=pk, grid=grid, building=self.building, region_path=grid.path, unit=u, door=d
            )
            for pk, (u, d) in zip(HOUSEHOLD_IDS, doors, strict=True)
        )
        today = dt.date.today()
        self.father = make_person(
            grid,
            id=PERSON_IDS[0],
            name="李刚",
            household=self.li,
            relation="户主",
            phone="13900004321",
            birth_on=today - dt.timedelta(days=42 * 365 + 100),
        )
        self.son = make_person(
            grid,
            id=PERSON_IDS[1],
            name="李明",
            household=self.li,
            relation="子",
            phone="",
            birth_on=today - dt.timedelta(days=2 * 365 + 100),
        )
        self.wang_lan = make_person(
            grid, id=PERSON_IDS[2], name="王兰", household=self.wang, phone="13700008888"
        )
        self.zhao_a = make_person(
            grid, id=PERSON_IDS[3], name="赵强", household=self.zhao, phone=""
        )
        self.zhao_b = make_person(
            grid, id=PERSON_IDS[4], name="赵芳", household=self.zhao, phone=""
        )
        self.link = issue_building_link(
            user=grid_worker, scope=scope_of(grid_worker), building=self.building
        )
        self.url = reverse("health:resident", args=[link_token(self.link)])


@pytest.fixture
def block(tree, people):
    return Block(tree, people.grid_a)


@pytest.fixture
def later(monkeypatch):
    """``later(minutes)``: the clock signatures and the cache read moves on."""
    real = time.time

    def _later(minutes):
        monkeypatch.setattr(time, "time", lambda: real() + minutes * 60)

    return _later


IDS = [str(i) for i in (*HOUSEHOLD_IDS, *PERSON_IDS, BUILDING_ID)]


def no_ids(response):
    """The response, after checking it names no household, person or building by id."""
    text = response.content.decode()
    leaked = [i for i in IDS if i in text]
    assert not leaked, f"internal ids {leaked} in the public page"
    return text


def prove(client, block, door=("1", "101"), proof="4321", **typed):
    unit, number = door
    return client.post(
        block.url, {"action": "prove", "unit": unit, "door": number, "proof": proof, **typed}
    )


def token_in(text):
    return re.search(r'name="h" value="([^"]+)"', text)[1]


def key(block, person):
    return member_key(block.link, person.pk)


def test_the_building_page_lists_units_floors_and_doors_never_people(client, block):
    units = no_ids(client.get(block.url))
    assert "1单元" in units and "2单元" in units
    floors = no_ids(client.get(block.url + "?unit=1"))
    assert floors.index("1层") < floors.index("2层") < floors.index("10层")
    doors = no_ids(client.get(block.url + "?unit=1&floor=10"))
    assert "1001" in doors and "201" not in doors
    for page in (units, floors, doors):
        assert not any(n in page for n in ("李", "王", "赵", "张"))


def test_a_unit_with_one_floor_goes_straight_to_its_doors(client, block):
    page = no_ids(client.get(block.url + "?unit=2"))
    assert "?unit=2&amp;door=101" in page


def test_doors_and_floors_are_in_natural_order():
    assert [floor_of(d) for d in ("101", "1001", "2503", "12", "A1")] == ["1", "10", "25", "", ""]


def test_the_door_page_asks_for_proof_and_shows_nobody(client, block):
    page = no_ids(client.get(block.url + "?unit=1&door=101"))
    assert 'name="proof"' in page and "李" not in page


def test_a_right_phone_suffix_shows_only_that_households_members_told_apart(client, block):
    page = no_ids(prove(client, block))
    assert "李* · 户主 · 40多岁" in page and "李* · 子 · 2岁" in page
    assert "李刚" not in page and "王" not in page and "赵" not in page
    assert page.count('name="t-') == 2


def test_a_household_without_phones_proves_itself_with_the_code_on_its_notice(client, block):
    assert prove(client, block, ("1", "201"), "4321").status_code == 403
    page = no_ids(prove(client, block, ("1", "201"), household_code(block.zhao.pk)))
    # two members who would read alike (赵* · 40多岁) are numbered
    assert "赵* · 40多岁 (1)" in page and "赵* · 40多岁 (2)" in page
    assert page.count('name="t-') == 2


def test_a_wrong_phone_suffix_is_refused_counted_and_audited(client, block):
    response = prove(client, block, proof="8888")  # 王兰's phone: another household's
    assert response.status_code == 403
    page = no_ids(response)
    assert "还可以再试 4 次" in page and 'name="t-' not in page
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.ip) == ("login_failed", "household", "127.0.0.1")
    assert entry.detail["door"] == "10栋 1单元 101"


def test_a_proof_not_made_of_digits_is_refused_without_counting(client, block):
    page = no_ids(prove(client, block, proof="12ab"))
    assert "后4位" in page and not AuditEntry.objects.exists()


def test_after_five_wrong_tries_the_household_is_locked_for_a_while(client, block, later):
    for proof in ("0000", "0001", "0002", "0003"):
        prove(client, block, proof=proof)
    locked = no_ids(prove(client, block, proof="0004"))
    assert "尝试次数过多" in locked and "之后再试" in locked
    # from another phone, even the right answer waits for the window to end
    other = {"REMOTE_ADDR": "10.0.0.9"}
    again = client.post(
        block.url, {"action": "prove", "unit": "1", "door": "101", "proof": "4321"}, **other
    )
    assert again.status_code == 403 and "尝试次数过多" in again.content.decode()
    assert AuditEntry.objects.count() == 5  # tries while locked are not even checked
    later(16)
    assert (
        'name="t-'
        in client.post(
            block.url, {"action": "prove", "unit": "1", "door": "101", "proof": "4321"}, **other
        ).content.decode()
    )


def test_one_phone_trying_many_doors_is_stopped(client, block):
    for door in (("1", "101"), ("1", "1001"), ("1", "201"), ("2", "101"), ("1", "101")):
        prove(client, block, door, "0000")
    page = prove(client, block, ("1", "1001"), "8888").content.decode()
    assert "尝试次数过多" in page


def test_the_resident_reports_for_several_members_once_whatever_the_resends(client, block):
    page = no_ids(prove(client, block))
    h = token_in(page)
    f, s = key(block, block.father), key(block, block.son)
    client_f, client_s = re.search(rf'name="c-{f}" value="([^"]+)"', page)[1], uuid.uuid4()
    body = {
        "action": "report",
        "h": h,
        f"t-{f}": "36.6",
        f"c-{f}": client_f,
        f"t-{s}": "38.4",
        f"s-{s}": ["cough"],
        f"c-{s}": client_s,
    }
    done = no_ids(client.post(block.url, body))
    assert 'id="reported"' in done and "网格员" in done  # the son's fever: told who will call
    assert len(re.findall(r"今天 \d\d:\d\d 已上报", done)) == 2
    client.post(block.url, body)  # the same form sent again
    assert CheckIn.objects.count() == 2
    assert Alert.objects.get().person == block.son
    assert CheckIn.objects.get(person=block.son).symptoms == ["cough"]


def test_a_neighbours_household_cannot_be_reported_with_your_proof(client, block):
    h = token_in(prove(client, block).content.decode())
    wang = key(block, block.wang_lan)
    response = client.post(block.url, {"action": "report", "h": h, f"t-{wang}": "38.9"})
    assert not CheckIn.objects.exists() and "王" not in response.content.decode()
    # a token edited to name the neighbour's door no longer carries our signature
    payload, rest = h.split(":", 1)
    forged = signing.dumps(["1", "1001"], salt="not ours").split(":", 1)[0] + ":" + rest
    for bad in (forged, h[:-2] + "xx", ""):
        response = client.post(block.url, {"action": "report", "h": bad, f"t-{wang}": "38.9"})
        assert response.status_code == 400
    assert not CheckIn.objects.exists()


def test_a_token_from_another_buildings_link_does_not_work_here(client, block, tree, people):
    other = issue_building_link(
        user=people.grid_a, scope=scope_of(people.grid_a), building=tree.building_a
    )
    h = household_token(other, tree.household_a)
    url = reverse("health:resident", args=[link_token(other)])
    assert client.post(block.url, {"action": "report", "h": h}).status_code == 400
    ok = client.post(
        url, {"action": "report", "h": h, f"t-{member_key(other, tree.person_a.pk)}": "36.5"}
    )
    assert b'id="reported"' in ok.content


def test_a_wrong_temperature_keeps_what_was_typed(client, block):
    h = token_in(prove(client, block).content.decode())
    f, s = key(block, block.father), key(block, block.son)
    page = no_ids(
        client.post(block.url, {"action": "report", "h": h, f"t-{f}": "36.5", f"t-{s}": "45"})
    )
    assert "35.0" in page and 'value="45"' in page
    assert list(CheckIn.objects.values_list("person_id", flat=True)) == [block.father.pk]


def test_an_expired_proof_is_asked_again_and_the_readings_stay(client, block, later):
    h = token_in(prove(client, block).content.decode())
    f = key(block, block.father)
    later(21)
    again = no_ids(client.post(block.url, {"action": "report", "h": h, f"t-{f}": "37.9"}))
    assert 'name="proof"' in again and f'name="t-{f}" value="37.9"' in again
    wrong = no_ids(prove(client, block, proof="0000", **{f"t-{f}": "37.9"}))
    assert f'name="t-{f}" value="37.9"' in wrong  # nothing lost on a wrong code either
    back = no_ids(prove(client, block, **{f"t-{f}": "37.9"}))
    assert f'name="t-{f}" value="37.9"' in back and not CheckIn.objects.exists()


def test_a_revoked_link_refuses_the_household_page_too(client, block, people):
    h = token_in(prove(client, block).content.decode())
    issue_building_link(user=people.grid_a, scope=scope_of(people.grid_a), building=block.building)
    f = key(block, block.father)
    assert client.post(block.url, {"action": "report", "h": h, f"t-{f}": "36.5"}).status_code == 410
    assert not CheckIn.objects.exists()


def test_a_revoked_reissued_or_forged_link_stops_working(client, block, people):
    old = block.url
    issue_building_link(user=people.grid_a, scope=scope_of(people.grid_a), building=block.building)
    assert client.get(old).status_code == 410
    assert prove(client, block).status_code == 410
    assert client.get(reverse("health:resident", args=["forged"])).status_code == 410
    assert "已失效" in client.get(old).content.decode()


def test_reports_through_one_link_are_rate_limited(client, block):
    h = token_in(prove(client, block).content.decode())
    f = key(block, block.father)
    for _ in range(31):
        client.post(
            block.url, {"action": "report", "h": h, f"t-{f}": "36.5", f"c-{f}": uuid.uuid4()}
        )
    assert CheckIn.objects.count() == 30


def test_ages_are_told_in_bands():
    assert [age_band(a) for a in (None, 0, 2, 9, 10, 47, 81)] == [
        "",
        "under 1",
        "aged 2",
        "aged 9",
        "in their 10s",
        "in their 40s",
        "in their 80s",
    ]


def test_staff_print_the_household_codes_for_doors_without_a_phone(block, people, login):
    client = login(people.grid_a)
    url = reverse("health:building_qr", args=[block.building.pk])
    qr = client.get(url).content.decode()
    assert household_code(block.zhao.pk) not in qr  # the poster in the hall holds no code
    notices = client.get(url + "?notices=1").content.decode()
    assert household_code(block.zhao.pk) in notices and household_code(block.empty.pk) in notices
    assert household_code(block.li.pk) not in notices  # 李刚 has a phone
    assert "1单元 201" in notices


def test_another_grids_worker_cannot_read_the_household_codes(block, people, login):
    url = reverse("health:building_qr", args=[block.building.pk]) + "?notices=1"
    assert login(people.grid_b).get(url).status_code == 404
    assert login(people.volunteer).get(url).status_code in (403, 404)


def test_household_tokens_are_bound_to_their_link(block):
    h = household_token(block.link, block.li)
    assert signing.loads(h, salt=f"{HOUSEHOLD_SALT}:{block.link.pk}") == ["1", "101"]


def test_quick_entry_lists_units_and_doors_in_natural_order(block, people, login):
    grid = block.building.grid
    for unit in ("10", "3"):
        Household.objects.create(
            grid=grid, building=block.building, region_path=grid.path, unit=unit, door="101"
        )
    client = login(people.grid_a)
    page = client.get(
        reverse("health:quick_entry", args=[block.building.pk]) + "?unit=1"
    ).content.decode()
    assert page.index("?unit=2") < page.index("?unit=3") < page.index("?unit=10")
    # one floor at a time: the floors of the unit in natural order, the first one shown
    assert page.index('floor=1"') < page.index('floor=2"') < page.index('floor=10"')
    assert "1-101" in page and "1-201" not in page


def test_each_member_has_a_sampling_code_to_show_the_sampler(client, block):
    from fangkong.common.qr import qr_svg
    from fangkong.people.codes import person_code

    page = no_ids(prove(client, block))
    assert page.count("采样码") == 1 and page.count("<svg") == 2
    for member in (block.father, block.son):  # the QR a sampler's phone reads as this member
        assert qr_svg(person_code(member.pk), scale=4) in page
    assert qr_svg(person_code(block.wang_lan.pk), scale=4) not in page
