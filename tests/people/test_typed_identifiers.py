"""Identifiers typed in other digit scripts are one identifier: registered once, found by search."""

import datetime as dt

from django.urls import reverse

from fangkong.common.idnumbers import make

SCRIPTS = [
    "430102198505051116",
    "４30102198505051116",  # first digit full-width
    "٤٣٠١٠٢١٩٨٥٠٥٠٥١١١٦",  # Arabic-Indic
]


def register(client, tree, number, **extra):
    body = {"name": "赵敏", "id_number": number, "grid": tree.grid_a.code, **extra}
    return client.post("/api/v1/persons", body, content_type="application/json")


def test_one_document_in_three_digit_scripts_registers_one_person(tree, people, login):
    client = login(people.grid_a)
    first, *others = (register(client, tree, n) for n in SCRIPTS)
    assert first.status_code == 201
    for answer in others:
        assert answer.status_code == 422
        assert "已登记" in answer.json()["detail"]["id_number"]  # already registered
    assert tree.grid_a.persons.filter(name="赵敏").count() == 1


def test_a_phone_typed_half_full_width_is_found_by_its_ascii_digits(tree, people, login):
    client = login(people.grid_a)
    assert register(client, tree, SCRIPTS[0], phone="13８００１３８０９９").status_code == 201
    page = client.get(reverse("people:search"), {"q": "13800138099"}).content.decode()
    assert "赵敏" in page
    listed = client.get("/api/v1/persons", {"q": "１３８００１３８０９９"}).json()
    assert [p["name"] for p in listed["items"]] == ["赵敏"]


def test_registration_flags_a_county_code_no_list_knows(tree, people, login):
    client = login(people.grid_a)
    flagged = register(client, tree, make("439999", dt.date(1980, 1, 1), 11))
    assert flagged.status_code == 201 and flagged.json()["unknown_area"] is True
    known = register(client, tree, SCRIPTS[0], name="周芷若")
    assert known.status_code == 201 and known.json()["unknown_area"] is False


def test_registration_refuses_a_number_of_no_province(tree, people, login):
    answer = register(login(people.grid_a), tree, "291417196710156909")
    assert answer.status_code == 422
    assert "29" in answer.json()["detail"]["id_number"]
