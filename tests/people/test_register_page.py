"""A grid worker registers a resident from a household page, or a floating one in the grid."""

import datetime as dt

from django.urls import reverse

from fangkong.common.idnumbers import make
from fangkong.people.models import Person

NEW_ID = make("430102", dt.date(1988, 8, 8), 15)


def test_a_grid_worker_registers_a_resident_into_a_household(tree, people, login):
    client = login(people.grid_a)
    url = reverse("people:new") + f"?household={tree.household_a.pk}"
    assert "登记居民" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "name": "张新",
            "id_type": "resident_id",
            "id_number": NEW_ID.lower(),
            "phone": "139 0000 1111",
            "relation": "子女",
            "tags": ["returnee"],
            "returned_from": "武汉",
            "returned_on": "2020-01-20",
        },
    )
    person = Person.objects.get(id_number=NEW_ID)
    assert response["Location"] == reverse("people:person", args=[person.pk])
    assert (person.household, person.grid, person.phone) == (
        tree.household_a,
        tree.grid_a,
        "13900001111",
    )
    assert (person.birth_on, person.sex) == (dt.date(1988, 8, 8), "M")
    [tag] = person.tags.all()
    assert (tag.kind, tag.place, tag.event_on) == ("returnee", "武汉", dt.date(2020, 1, 20))


def test_mistakes_are_shown_next_to_their_fields_in_chinese_and_nothing_is_saved(
    tree, people, login
):
    client = login(people.grid_a)
    url = reverse("people:new") + f"?household={tree.household_a.pk}"
    before = Person.objects.count()
    text = client.post(
        url,
        {"name": "", "id_type": "resident_id", "id_number": NEW_ID[:-1] + "0", "phone": "12345"},
    ).content.decode()
    assert "这个字段是必填项" in text  # name
    text = client.post(
        url,
        {
            "name": "张新",
            "id_type": "resident_id",
            "id_number": NEW_ID[:-1] + "0",
            "phone": "12345",
        },
    ).content.decode()
    assert "身份证号校验位错误" in text and "手机号应为" in text
    assert Person.objects.count() == before


def test_a_second_submit_registers_nobody_twice(tree, people, login):
    client = login(people.grid_a)
    url = reverse("people:new") + f"?grid={tree.grid_a.code}"
    form = {"name": "流动人员", "id_type": "resident_id", "id_number": NEW_ID}
    client.post(url, form)
    text = client.post(url, form).content.decode()
    assert "持此证件的人员已登记" in text
    assert Person.objects.filter(id_number=NEW_ID).count() == 1
    assert Person.objects.get(id_number=NEW_ID).household is None


def test_a_passport_holder_gives_birth_date_and_sex_by_hand(tree, people, login):
    client = login(people.community)
    client.post(
        reverse("people:new") + f"?grid={tree.grid_a.code}",
        {
            "name": "Anna Smith",
            "id_type": "passport",
            "id_number": "E12345678",
            "birth_on": "1990-02-03",
            "sex": "F",
        },
    )
    p = Person.objects.get(id_number="E12345678")
    assert (p.birth_on, p.sex, p.id_type) == (dt.date(1990, 2, 3), "F", "passport")


def test_the_api_registers_and_names_every_bad_field(tree, people, login):
    client = login(people.grid_a)
    url = reverse("api:create_person")
    bad = client.post(
        url,
        {"name": "", "id_number": "123", "grid": tree.grid_a.code, "phone": "1"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert set(bad.json()["detail"]) == {"name", "id_number", "phone"}
    good = client.post(
        url,
        {
            "name": "李新",
            "id_number": NEW_ID,
            "grid": tree.grid_a.code,
            "household": tree.household_a.pk,
            "tags": ["pregnant", "returnee"],
            "returned_from": "外省",
            "returned_on": "2026-01-02",
        },
        content_type="application/json",
    )
    assert good.status_code == 201
    assert good.json()["id_number"] == NEW_ID[:4] + "*" * 10 + NEW_ID[-4:]
    assert good.json()["tags"] == ["pregnant", "returnee"]
    assert Person.objects.get(id_number=NEW_ID).tags.get(kind="returnee").place == "外省"
    again = client.post(
        url,
        {"name": "李新", "id_number": NEW_ID, "grid": tree.grid_a.code},
        content_type="application/json",
    )
    assert again.status_code == 422 and "已登记" in again.json()["detail"]["id_number"]
    assert again["Content-Type"] == "application/json; charset=utf-8"


def test_a_household_of_another_grid_is_not_found(tree, people, login):
    client = login(people.grid_a)
    r = client.post(
        reverse("api:create_person"),
        {
            "name": "X",
            "id_number": NEW_ID,
            "grid": tree.grid_a.code,
            "household": tree.household_b.pk,
        },
        content_type="application/json",
    )
    assert r.status_code == 404
