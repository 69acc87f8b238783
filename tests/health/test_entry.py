"""Readings entered by staff: quick entry a floor at a time, a reading given on the phone from
the call list, a checkpoint's reading of a known person; a case's own health page."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from fangkong.accounts.scope import scope_of
from fangkong.health.models import Alert, Case, CheckIn, Checkpoint, Passage
from fangkong.health.services import (
    CheckInData,
    check_report_case,
    check_start_observation,
    record_check_ins,
)
from fangkong.regions.models import Building, Household

from ..conftest import make_person


class Floors:
    """Building 3栋 of grid A: unit 1 floors 1, 2 and 10 (1-101 孙一 and 孙二, 1-102 周三,
    1-201 吴四, 1-1001 郑五), unit 2 floor 1 (2-101 冯六)."""

    def __init__(self, tree):
        grid = tree.grid_a
        self.building = Building.objects.create(grid=grid, region_path=grid.path, name="3栋")

        def home(unit, door, *names):
            h = Household.objects.create(
                grid=grid, building=self.building, region_path=grid.path, unit=unit, door=door
            )
            return [make_person(grid, name=n, household=h) for n in names]

        self.sun1, self.sun2 = home("1", "101", "孙一", "孙二")
        (self.zhou,) = home("1", "102", "周三")
        (self.wu,) = home("1", "201", "吴四")
        (self.zheng,) = home("1", "1001", "郑五")
        (self.feng,) = home("2", "101", "冯六")
        self.url = reverse("health:quick_entry", args=[self.building.pk])


@pytest.fixture
def floors(tree):
    return Floors(tree)


def form(page: str, name: str) -> str:
    """The value of a quick-entry input as rendered (the page keeps what was typed)."""
    at = page.index(f'name="{name}"')
    start = page.index('value="', at) + len('value="')
    return page[start : page.index('"', start)]


# Quick entry -----------------------------------------------------------------------------


def test_quick_entry_shows_one_floor_of_one_unit_with_the_floors_in_natural_order(
    floors, people, login
):
    page = login(people.grid_a).get(floors.url).content.decode()
    assert "孙一" in page and "周三" in page  # floor 1 of unit 1
    assert "吴四" not in page and "郑五" not in page and "冯六" not in page
    assert page.index('floor=1"') < page.index('floor=2"') < page.index('floor=10"')
    assert page.index("?unit=1") < page.index("?unit=2")
    top = login(people.grid_a).get(floors.url + "?unit=1&floor=10").content.decode()
    assert "郑五" in top and "孙一" not in top


def test_quick_entry_marks_who_has_already_reported_today_with_the_time(floors, people, login):
    record_check_ins(
        items=[CheckInData(uuid.uuid4(), floors.sun1.pk, "36.6")],
        persons={floors.sun1.pk: floors.sun1.region_path},
    )
    page = login(people.grid_a).get(floors.url).content.decode()
    row = page[page.index("孙一") : page.index("孙二")]
    assert "已上报" in row and "36.6 °C" in row
    assert "已上报" not in page[page.index("孙二") :]


def test_a_save_with_one_bad_temperature_keeps_every_other_reading_and_says_which_is_wrong(
    floors, people, login
):
    client = login(people.grid_a)
    page = client.get(floors.url).content.decode()
    ids = {p: form(page, f"c{p.pk}") for p in (floors.sun1, floors.sun2, floors.zhou)}
    response = client.post(
        floors.url,
        {
            f"t{floors.sun1.pk}": "36.4",
            f"c{floors.sun1.pk}": ids[floors.sun1],
            f"t{floors.sun2.pk}": "45",  # a slip of the finger
            f"c{floors.sun2.pk}": ids[floors.sun2],
            f"s{floors.sun2.pk}-symptoms": "cough",
            f"t{floors.zhou.pk}": "37.9",
            f"c{floors.zhou.pk}": ids[floors.zhou],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    # the good readings are in, and their rows say so; the bad one is kept, with why
    assert set(CheckIn.objects.values_list("person__name", flat=True)) == {"孙一", "周三"}
    assert Alert.objects.get().person == floors.zhou
    assert form(page, f"t{floors.sun2.pk}") == "45"
    assert form(page, f"c{floors.sun2.pk}") == ids[floors.sun2]  # a resend stays one reading
    wrong = page[page.index("孙二") : page.index("周三")]
    assert "35.0–42.0" in wrong and 'value="cough" checked' in wrong
    assert "36.4 °C" in page[page.index("孙一") : page.index("孙二")]
    assert "37.9 °C" in page[page.index("周三") :]
    # fixed and sent again: only the corrected reading is added
    client.post(
        floors.url,
        {f"t{floors.sun2.pk}": "36.5", f"c{floors.sun2.pk}": ids[floors.sun2]},
    )
    assert CheckIn.objects.count() == 3


def test_a_good_save_returns_to_the_same_floor_with_the_next_floor_one_tap_away(
    floors, people, login
):
    client = login(people.grid_a)
    url = floors.url + "?unit=1&floor=2"
    response = client.post(url, {f"t{floors.wu.pk}": "36.5"})
    assert response.status_code == 302 and response.url.endswith("?unit=1&floor=2")
    page = client.get(response.url).content.decode()
    assert 'id="saved"' in page and "吴四" in page
    assert 'href="?unit=1&amp;floor=10"' in page[page.index('id="saved"') :]
    # the top floor of a unit leads on to the next unit
    last = client.post(floors.url + "?unit=1&floor=10", {f"t{floors.zheng.pk}": "36.5"})
    assert 'href="?unit=2&amp;floor=1"' in client.get(last.url).content.decode()


def test_quick_entry_stores_nothing_for_someone_not_on_the_floor_shown(floors, people, login):
    login(people.grid_a).post(floors.url + "?unit=1&floor=2", {f"t{floors.zheng.pk}": "36.5"})
    assert not CheckIn.objects.exists()


def test_quick_entry_asks_for_a_temperature_when_none_is_typed(floors, people, login):
    response = login(people.grid_a).post(floors.url, {})
    assert response.status_code == 400 and 'id="entry-error"' in response.content.decode()


# A reading given on the phone --------------------------------------------------------------


def watch(people, person, kind="home_observation"):
    return check_start_observation(
        user=people.grid_a, scope=scope_of(people.grid_a), person=person, kind=kind, reason="返乡"
    )


def test_a_reading_given_on_the_phone_is_recorded_once_and_leads_to_the_next_person_to_call(
    tree, people, login
):
    watch(people, tree.person_a)
    watch(people, tree.child_a)
    client = login(people.grid_a)
    call_list = reverse("health:missing", args=[tree.grid_a.code])
    assert "?from=call-list" in client.get(call_list).content.decode()
    person = reverse("health:person", args=[tree.person_a.pk])
    page = client.get(person + "?from=call-list").content.decode()
    assert 'name="back" value="call-list"' in page
    body = {
        "temperature": "37.8",
        "symptoms": ["cough"],
        "client_id": form(page, "client_id"),
        "back": "call-list",
    }
    response = client.post(person, body)
    assert response.status_code == 302
    assert response.url == f"{call_list}#p{tree.child_a.pk}"
    client.post(person, body)  # tapped twice
    check_in = CheckIn.objects.get()
    assert (check_in.person, check_in.source, check_in.recorded_by) == (
        tree.person_a,
        "phone",
        people.grid_a,
    )
    assert check_in.symptoms == ["cough"] and Alert.objects.get().person == tree.person_a
    listed = client.get(call_list).content.decode()
    assert "张伟" in listed and "37.8" in listed  # the message names who was just recorded
    assert f'id="p{tree.person_a.pk}"' not in listed and f'id="p{tree.child_a.pk}"' in listed


def test_a_wrong_phone_reading_keeps_what_was_typed_and_says_why(tree, people, login):
    client = login(people.grid_a)
    person = reverse("health:person", args=[tree.person_a.pk])
    response = client.post(
        person, {"temperature": "3.7", "symptoms": ["fatigue"], "back": "call-list"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "35.0–42.0" in page
    assert form(page, "temperature") == "3.7" and 'value="fatigue" checked' in page
    assert not CheckIn.objects.exists()


def test_a_phone_reading_opened_elsewhere_returns_to_the_persons_page(tree, people, login):
    client = login(people.grid_a)
    person = reverse("health:person", args=[tree.person_a.pk])
    response = client.post(person, {"temperature": "36.5"})
    assert response.url == person
    assert "36.5" in client.get(person).content.decode()


def test_only_those_who_record_check_ins_get_the_phone_form(tree, people, login):
    person = reverse("health:person", args=[tree.person_a.pk])
    assert 'name="temperature"' not in login(people.street).get(person).content.decode()
    assert login(people.street).post(person, {"temperature": "36.5"}).status_code == 403
    assert login(people.grid_b).post(person, {"temperature": "36.5"}).status_code == 404
    assert not CheckIn.objects.exists()


# A checkpoint's reading ------------------------------------------------------------------


@pytest.fixture
def gate(tree):
    return Checkpoint.objects.create(region=tree.grid_a, region_path=tree.grid_a.path, name="东门")


def log(client, gate, person=None, **fields):
    body = {
        "client_id": str(uuid.uuid4()),
        "direction": "out",
        "outcome": "turned_back",
        "reason": "居家观察",
        "id_number": person.id_number if person else "",
        **fields,
    }
    return client.post(reverse("health:checkpoint", args=[gate.pk]), body, follow=True)


def test_a_checkpoint_fever_of_a_known_person_opens_an_alert_in_their_grids_queue(
    tree, people, login, gate
):
    log(login(people.volunteer), gate, tree.person_a, temperature="37.6")
    check_in = CheckIn.objects.get()
    assert (check_in.person, check_in.source, check_in.temperature) == (
        tree.person_a,
        "checkpoint",
        check_in.temperature.__class__("37.6"),
    )
    assert check_in.client_id == Passage.objects.get().client_id
    assert Alert.objects.get().person == tree.person_a
    queue = login(people.grid_a).get(reverse("health:alerts")).content.decode()
    assert "张伟" in queue
    health = login(people.grid_a).get(reverse("health:person", args=[tree.person_a.pk]))
    assert "卡口" in health.content.decode() and "37.6" in health.content.decode()


def test_the_post_is_told_he_should_be_at_home_and_nothing_of_who_he_is(tree, people, login, gate):
    watch(people, tree.person_a)
    page = log(login(people.volunteer), gate, tree.person_a, temperature="37.6").content.decode()
    assert "居家观察中：不应外出" in page
    assert "已通知其网格员" in page
    for secret in ("张伟", tree.person_a.id_number, tree.person_a.phone, "返乡"):
        assert secret not in page


def test_a_fever_at_the_post_reads_the_same_for_a_registered_and_an_unknown_number(
    tree, people, login, gate
):
    """A street officer trying candidate numbers with a made-up fever learns nothing: the post
    is told the same whether or not an alert opened behind the number."""
    client = login(people.street)

    def told(number):
        page = client.post(
            reverse("health:checkpoint", args=[gate.pk]),
            {
                "client_id": str(uuid.uuid4()),
                "direction": "in",
                "outcome": "allowed",
                "temperature": "38.2",
                "id_number": number,
            },
            follow=True,
        ).content.decode()
        return [m for m in ("体温偏高", "已通知其网格员", "不应外出") if m in page]

    unknown = tree.person_a.id_number[:-4] + "0000"
    assert told(tree.person_a.id_number) == told(unknown) == ["体温偏高", "已通知其网格员"]


def test_the_post_is_not_told_anything_for_someone_not_kept_in(tree, people, login, gate):
    watch(people, tree.person_a, kind="health_monitoring")
    page = log(
        login(people.volunteer), gate, tree.person_a, temperature="36.5", outcome="allowed"
    ).content.decode()
    assert "不应外出" not in page and "网格员" not in page


def test_a_passage_logged_twice_is_one_reading(tree, people, login, gate):
    client = login(people.volunteer)
    client_id = str(uuid.uuid4())
    for _ in range(2):
        log(client, gate, tree.person_a, temperature="36.5", client_id=client_id)
    assert Passage.objects.count() == 1 and CheckIn.objects.count() == 1


def test_a_passage_without_a_person_or_a_temperature_is_no_reading(tree, people, login, gate):
    client = login(people.volunteer)
    log(client, gate, temperature="38.5")
    log(client, gate, tree.person_a)
    assert Passage.objects.count() == 2 and not CheckIn.objects.exists()
    assert not Alert.objects.exists()


# A case's own page -----------------------------------------------------------------------


def test_a_cases_health_page_shows_the_case_rather_than_not_under_watch(tree, people, login):
    case = check_report_case(
        user=people.community,
        scope=scope_of(people.community),
        person=tree.person_a,
        classification="confirmed",
        onset_on=dt.date.today() - dt.timedelta(days=2),
    )
    page = login(people.grid_a).get(reverse("health:person", args=[tree.person_a.pk]))
    text = page.content.decode()
    assert "确诊" in text and reverse("health:case", args=[case.pk]) in text
    assert "未在观察中" not in text and "作为病例跟进" in text
    assert (dt.date.today() - dt.timedelta(days=2)).isoformat() in text


def test_a_case_reported_in_another_area_is_shown_without_a_link(tree, people, login):
    Case.objects.create(
        person=tree.person_a,
        region_path=tree.grid_b.path,
        classification="asymptomatic",
        report_on=dt.date.today() - dt.timedelta(days=20),
        closed_on=dt.date.today(),
        close_reason="治愈",
    )
    text = login(people.grid_a).get(reverse("health:person", args=[tree.person_a.pk]))
    text = text.content.decode()
    assert "无症状" in text and "治愈" in text and "/health/cases/" not in text
    assert "未在观察中" in text  # a closed case is history, not a state


def test_quick_entry_costs_the_same_queries_however_many_doors_a_floor_has(
    floors, people, login, django_assert_max_num_queries
):
    client = login(people.grid_a)
    client.get(floors.url)  # the session and the user, cached as on any later page
    grid = floors.building.grid
    for d in range(3, 30):
        h = Household.objects.create(
            grid=grid, building=floors.building, region_path=grid.path, unit="1", door=f"1{d:02d}"
        )
        make_person(grid, name="邻居", household=h)
    with django_assert_max_num_queries(12):
        page = client.get(floors.url)
    assert page.content.decode().count('type="number"') == 30
