"""A birth date before 1880 or in the future is refused for every document, by the service,
the API, the registration page and the ledger; the message says the allowed range."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from fangkong.people.choices import IdType
from fangkong.people.models import Person
from fangkong.people.services import PersonInvalid
from fangkong.people.services.registry import EARLIEST_BIRTH_ON, clean_identity

TODAY = dt.date(2025, 6, 1)


@given(st.dates(), st.sampled_from([t for t in IdType.values if t != IdType.RESIDENT_ID]))
@settings(max_examples=200)
def test_a_birth_date_is_kept_only_between_1880_and_today(birth_on, id_type):
    try:
        identity = clean_identity(
            id_type=id_type, id_number="E12345678", birth_on=birth_on, today=TODAY
        )
    except PersonInvalid as e:
        assert not EARLIEST_BIRTH_ON <= birth_on <= TODAY
        assert "1880-01-01" in e.errors["birth_on"] and "2025-06-01" in e.errors["birth_on"]
    else:
        assert identity.birth_on == birth_on


@pytest.mark.parametrize("birth_on", ["0001-01-01", "1879-12-31", "9999-12-31"])
def test_the_api_refuses_a_passport_born_in_year_one_or_the_future(tree, people, login, birth_on):
    response = login(people.grid_a).post(
        reverse("api:create_person"),
        {
            "name": "John Smith",
            "id_type": IdType.PASSPORT,
            "id_number": "E12345678",
            "grid": tree.grid_a.code,
            "birth_on": birth_on,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "1880-01-01" in response.json()["detail"]["birth_on"]
    assert not Person.objects.filter(id_number="E12345678").exists()


def test_the_registration_page_shows_the_allowed_range(tree, people, login):
    url = reverse("people:new") + f"?household={tree.household_a.pk}"
    text = (
        login(people.grid_a)
        .post(
            url,
            {
                "name": "John Smith",
                "id_type": IdType.PASSPORT,
                "id_number": "E12345678",
                "birth_on": "0001-01-01",
            },
        )
        .content.decode()
    )
    assert "1880-01-01" in text and timezone.localdate().isoformat() in text
    assert not Person.objects.filter(id_number="E12345678").exists()
