"""Numbers and days beyond what the database or a calendar holds: a page forgives (shows the
first or last page, or today), the API refuses with a 422 that says the bound. Never a 500."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from fangkong.common.paging import page_of
from fangkong.common.params import EARLIEST_DAY, MAX_ID, MAX_PAGE, day_or, int_or

BEYOND = str(2**63)  # one past the largest id a 64-bit column holds


@given(st.one_of(st.integers(), st.text(), st.none()))
def test_int_or_only_gives_numbers_a_database_column_holds(value):
    number = int_or(value, None)
    assert number is None or -MAX_ID <= number <= MAX_ID


def test_int_or_reads_the_largest_id_and_refuses_one_past_it():
    assert int_or(str(MAX_ID), 0) == MAX_ID
    assert int_or(BEYOND, 0) == 0


@given(st.one_of(st.dates(), st.text()))
def test_day_or_only_gives_days_inside_the_window(value):
    day = day_or(value.isoformat() if isinstance(value, dt.date) else value, None)
    assert day is None or EARLIEST_DAY <= day <= timezone.localdate() + dt.timedelta(days=366)


def test_day_or_falls_back_for_year_one_and_year_9999():
    today = timezone.localdate()
    assert day_or("0001-01-01", today) == today
    assert day_or("9999-12-31", today) == today
    assert day_or("2020-02-01", today) == dt.date(2020, 2, 1)


def test_a_page_number_past_the_bound_shows_the_last_allowed_page(tree):
    from fangkong.regions.models import Region

    page = page_of(Region.objects.order_by("path"), 2**70, 10)
    assert (page.number, page.items, page.has_next) == (MAX_PAGE, [], False)


@pytest.mark.parametrize(
    "path,params",
    [
        ("people:search", {"q": "李", "page": BEYOND}),
        ("people:building", {"page": BEYOND}),
        ("accounts:audit", {"page": BEYOND}),
        ("people:search", {"household": BEYOND}),
    ],
)
def test_pages_show_a_page_for_numbers_past_the_database(tree, people, login, path, params):
    args = [tree.building_a.pk] if path == "people:building" else []
    response = login(people.hq).get(reverse(path, args=args), params)
    assert response.status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_the_health_page_shows_today_for_a_day_outside_the_window(tree, people, login, day):
    response = login(people.hq).get(reverse("health:staff"), {"day": day})
    assert response.status_code == 200
    assert response.context["view"].day == timezone.localdate()


@pytest.mark.parametrize(
    "name,params,bound",
    [
        ("api:list_persons", {"page": BEYOND}, str(MAX_PAGE)),
        ("api:list_regions", {"page": BEYOND}, str(MAX_PAGE)),
        ("api:list_persons", {"household": BEYOND}, str(MAX_ID)),
        ("api:list_persons", {"household": "0"}, "1"),
    ],
)
def test_the_api_refuses_numbers_past_their_bound_and_says_it(
    tree, people, login, name, params, bound
):
    response = login(people.hq).get(reverse(name), params)
    assert response.status_code == 422
    assert bound in response.content.decode()


def test_the_api_refuses_a_summary_day_outside_the_window(tree, people, login):
    url = reverse("api:summary")
    response = login(people.hq).get(url, {"region": tree.city.code, "day": "0001-01-01"})
    assert response.status_code == 422 and "2000-01-01" in response.content.decode()


def test_a_check_in_for_a_person_id_past_the_database_is_refused(tree, people, login):
    record = {"client_id": str(uuid.uuid4()), "person_id": 2**63, "temperature": "36.6"}
    response = login(people.grid_a).post(
        reverse("api:post_check_ins"), {"records": [record]}, content_type="application/json"
    )
    assert response.status_code == 422 and str(MAX_ID) in response.content.decode()


def test_an_api_address_naming_no_operation_answers_json_not_a_page(tree, people, login):
    client = login(people.hq)
    for path in ["/api/v1/persons/null,null", "/api/v1/nothing-here"]:
        response = client.get(path)
        assert response.status_code == 404 and response.json() == {"detail": "未找到。"}
    assert client.get(reverse("api:list_regions")).status_code == 200
