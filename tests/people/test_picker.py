"""The picker: namesakes told apart by what the viewer may see, only inside the viewer's scope."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from fangkong.accounts.scope import scope_of
from fangkong.health.models import Case
from fangkong.health.services import check_report_case
from fangkong.people.selectors import PICK_LIMIT, SearchTooShort, pick_people
from fangkong.people.views.picker import _field
from fangkong.regions.services import get_or_create_building, get_or_create_household

from ..conftest import make_person


def _home(grid, building, unit, door):
    b = get_or_create_building(grid=grid, name=building)
    return get_or_create_household(grid=grid, building=b, unit=unit, door=door)


@pytest.fixture
def li_qing(tree):
    """Three 李晴 the street officer may see (two in grid A, one in grid B) and one elsewhere."""
    return [
        make_person(
            tree.grid_a,
            name="李晴",
            sex="F",
            birth_on=dt.date(1952, 3, 8),
            household=_home(tree.grid_a, "1栋", "1", "101"),
        ),
        make_person(
            tree.grid_a,
            name="李晴",
            sex="F",
            birth_on=dt.date(1987, 11, 23),
            household=_home(tree.grid_a, "3栋", "2", "302"),
        ),
        make_person(
            tree.grid_b,
            name="李晴",
            sex="M",
            birth_on=dt.date(2009, 7, 14),
            household=_home(tree.grid_b, "2栋", "2", "1001"),
        ),
        make_person(tree.grid_c, name="李晴", sex="F", birth_on=dt.date(1990, 1, 2)),
    ]


def _rows(html: str) -> list[str]:
    """The text of each row of a picker's list."""
    buttons = re.findall(r'<button type="button" class="pick-row"[^>]*>(.*?)</button>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", b)).strip() for b in buttons]


def _date_forms(d: dt.date) -> list[str]:
    return [d.isoformat(), f"{d:%Y%m%d}", f"{d:%m%d}", f"{d.month}月{d.day}日", f"{d:%Y/%m/%d}"]


def test_a_street_officer_tells_three_namesakes_apart_without_a_birth_date_or_full_id(
    tree, people, login, li_qing
):
    page = login(people.street).get(reverse("people:pick") + "?field=person&q=李晴")
    assert page.status_code == 200
    html = page.content.decode()
    rows = _rows(html)
    assert len(rows) == 3  # not the 李晴 of another district
    assert len(set(rows)) == 3  # every row different from the others
    expected = [
        ("1952年生", "1栋 1单元 101", "红星第1网格", "女"),
        ("1987年生", "3栋 2单元 302", "红星第1网格", "女"),
        ("2009年生", "2栋 2单元 1001", "芷园第1网格", "男"),
    ]
    for row, facts, person in zip(rows, expected, li_qing, strict=False):
        assert all(f in row for f in facts), row
        assert f"证件尾号 {person.id_number[-4:]}" in row
    for person in li_qing:
        assert person.id_number not in html
        assert person.id_number[6:14] not in html  # the birth digits of the number
        assert person.id_masked not in html  # only its tail, not even the mask's head
        for form in _date_forms(person.birth_on):
            assert form not in html, form


def test_a_grid_worker_is_never_offered_anyone_outside_the_grid(tree, people, login, li_qing):
    client = login(people.grid_a)
    rows = _rows(client.get(reverse("people:pick") + "?q=李").content.decode())
    assert len(rows) == 2 and all("红星第1网格" in r for r in rows)
    grid_b = li_qing[2]
    by_tail = client.get(reverse("people:pick") + f"?q={grid_b.id_number[-4:]}")
    assert "芷园" not in by_tail.content.decode()
    chosen = client.get(reverse("people:pick") + f"?chosen={grid_b.pk}")
    assert chosen.status_code == 404
    assert client.get(reverse("people:pick") + f"?chosen={li_qing[0].pk}").status_code == 200


def test_a_masked_role_may_search_only_the_digits_its_mask_shows(tree, people, li_qing):
    person = li_qing[0]
    scope = scope_of(people.street)
    assert [r.pk for r in pick_people(scope, person.id_number[-4:]).rows] == [person.pk]
    for digits in (person.id_number[-6:], person.id_number, person.phone):
        with pytest.raises(SearchTooShort):
            pick_people(scope, digits)


def test_the_picker_says_why_it_refuses_a_longer_tail(tree, people, login, li_qing):
    page = login(people.street).get(reverse("people:pick") + f"?q={li_qing[0].id_number[-6:]}")
    html = page.content.decode()
    assert page.status_code == 200 and 'role="alert"' in html and not _rows(html)


def test_an_empty_query_lists_nobody(tree, people, login):
    page = login(people.street).get(reverse("people:pick") + "?q=")
    assert page.status_code == 200 and not _rows(page.content.decode())


def test_the_chosen_person_goes_into_the_hidden_input_with_their_line(tree, people, login, li_qing):
    person = li_qing[1]
    page = login(people.street).get(reverse("people:pick") + f"?field=person&chosen={person.pk}")
    html = page.content.decode()
    assert f'<input type="hidden" name="person" value="{person.pk}">' in html
    assert "1987年生" in html and "3栋 2单元 302" in html
    assert "1987-11-23" not in html and person.id_number not in html


def test_a_long_list_is_cut_at_the_limit_and_says_so(tree, people, login):
    for i in range(PICK_LIMIT + 3):
        make_person(tree.grid_a, name=f"王{i:02d}")
    scope = scope_of(people.street)
    found = pick_people(scope, "王")
    assert len(found.rows) == PICK_LIMIT and found.more
    assert [r.name for r in found.rows] == sorted(r.name for r in found.rows)
    page = login(people.street).get(reverse("people:pick") + "?q=王")
    assert "只显示前 20 条".encode() in page.content


def test_the_picker_reads_people_in_one_query_however_many_it_lists(
    tree, people, li_qing, django_assert_num_queries
):
    scope = scope_of(people.street)
    for i in range(30):
        make_person(tree.grid_a, name="李晴", household=_home(tree.grid_a, f"{i}栋", "1", "1"))
    with django_assert_num_queries(1):
        found = pick_people(scope, "李晴")
        lines = [(r.place, r.grid, r.born, r.sex, r.id_tail) for r in found.rows]
    assert len(lines) == PICK_LIMIT


def test_the_picker_page_costs_the_same_for_three_rows_or_twenty(
    tree, people, login, li_qing, django_assert_num_queries
):
    client = login(people.street)
    with django_assert_num_queries(4):  # session, user, scope region, the rows
        client.get(reverse("people:pick") + "?q=李晴")
    for _ in range(30):
        make_person(tree.grid_a, name="李晴")
    with django_assert_num_queries(4):
        client.get(reverse("people:pick") + "?q=李晴")


def test_a_name_is_looked_up_by_prefix_on_the_name_index(tree, people, li_qing):
    scope = scope_of(people.street)
    with CaptureQueriesContext(connection) as queries:
        pick_people(scope, "李晴")
    sql = queries.captured_queries[0]["sql"]
    assert "LIKE" in sql and "UPPER" not in sql and "LOWER" not in sql  # a plain prefix
    assert re.search(r'ORDER BY "people_person"\."name" ASC, "people_person"\."id" ASC', sql)
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # A few test rows, with whatever statistics earlier tests left: make the planner choose
        # as it does on a city's table, where sorting every match is what the index avoids.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert "person_name_order" in plan, plan


def test_the_household_picker_goes_from_a_building_to_its_doors_in_floor_order(tree, people, login):
    for door in ("1001", "201", "102"):
        _home(tree.grid_a, "1栋", "1", door)
    _home(tree.grid_a, "1栋", "2", "101")
    _home(tree.grid_b, "1栋", "1", "101")  # another grid's 1栋: not the grid worker's
    client = login(people.grid_a)
    found = client.get(reverse("people:pick") + "?field=home&mode=household&q=1")
    buildings = _rows(found.content.decode())
    assert buildings == ["1栋 红星第1网格"]
    doors = client.get(
        reverse("people:pick") + f"?field=home&mode=household&building={tree.building_a.pk}"
    )
    assert _rows(doors.content.decode()) == ["101", "102", "201", "1001"]
    assert "2单元" in doors.content.decode()
    chosen = client.get(
        reverse("people:pick") + f"?field=home&mode=household&chosen={tree.household_a.pk}"
    )
    assert f'name="home" value="{tree.household_a.pk}"'.encode() in chosen.content
    b_building = tree.household_b.building
    other = client.get(reverse("people:pick") + f"?mode=household&building={b_building.pk}")
    assert other.status_code == 404


def test_roles_without_the_registry_get_no_picker(tree, people, login):
    for persona in ("volunteer", "warehouse"):
        client = login(people[persona])
        assert client.get(reverse("people:pick") + "?q=张").status_code == 403
        assert client.get(reverse("people:pick") + "?reset=1").status_code == 403


def test_the_picker_included_in_a_form_has_a_visible_label_and_its_field_name(rf):
    html = render_to_string(
        "people/_picker.html", {"field": "contact", "label": "密接"}, request=rf.get("/")
    )
    assert '<label for="pick-contact-q" id="pick-contact-label">密接</label>' in html
    assert 'id="pick-contact-q"' in html and '"field": "contact"' in html
    assert "disabled hidden" in html  # Enter searches, never posts a form without its choice


@given(st.text(max_size=60))
def test_a_field_name_from_the_query_string_is_a_plain_identifier_or_the_default(text):
    field = _field(RequestFactory().get("/", {"field": text}))
    assert re.fullmatch(r"[a-z][a-z0-9_]{0,39}", field)  # safe in an id, a name and JSON
    assert field == text or field == "person"


def test_the_case_and_contact_forms_label_their_dates_and_pick_the_person(tree, people, login):
    client = login(people.street)
    cases = client.get(reverse("health:cases") + f"?region={tree.street.code}").content.decode()
    for field, label in (("case-onset", "发病日期"), ("case-report", "报告日期（留空为今天）")):
        assert f'<label for="{field}">{label}</label>' in cases and f'id="{field}"' in cases
    assert 'id="pick-person-q"' in cases
    case = check_report_case(
        user=people.street,
        scope=scope_of(people.street),
        person=tree.child_a,
        classification="confirmed",
    )
    page = client.get(reverse("health:case", args=[case.pk])).content.decode()
    assert '<label for="contact-exposure">最后接触日期（留空为今天）</label>' in page
    assert 'id="pick-person-q"' in page


def test_a_form_sent_before_anyone_is_chosen_says_so(tree, people, login):
    client = login(people.street)
    sent = client.post(reverse("health:case_new"), {"classification": "confirmed"})
    assert sent.status_code == 302 and not Case.objects.exists()
    assert "请先选择人员".encode() in client.get(sent["Location"]).content
