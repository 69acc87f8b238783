"""Raising help requests: deadlines from kind × urgency, checks, retries, who may raise."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from fangkong.accounts.scope import scope_of
from fangkong.assistance.choices import Kind, Source, Status, Urgency
from fangkong.assistance.deadlines import MINUTES, due_at
from fangkong.assistance.models import HelpRequest
from fangkong.assistance.services import Ask, HelpInvalid, check_raise_request
from fangkong.assistance.services.intake import _clean

from .conftest import ask

DOCS = Path(__file__).resolve().parents[2] / "docs" / "assistance.md"


def test_urgent_medicine_is_due_within_two_hours(tree):
    before = timezone.now()
    r = ask(tree.household_a, kind="medicine", urgency="urgent")
    assert r.due_at - r.raised_at == dt.timedelta(hours=2)
    assert r.deadline_at == r.due_at
    assert r.raised_at >= before
    assert r.status == Status.OPEN and r.source == Source.RESIDENT


def test_every_kind_and_urgency_has_a_deadline_and_urgent_is_soonest():
    for kind in Kind.values:
        minutes = [MINUTES[kind][u] for u in (Urgency.URGENT, Urgency.TODAY, Urgency.NORMAL)]
        assert minutes == sorted(minutes) and minutes[0] > 0


def test_the_docs_table_is_the_deadline_table():
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `(\w+)` \|[^|]+\| (\d+) \| (\d+) \| (\d+) \|$", line)
        if m:
            rows[m[1]] = {"urgent": int(m[2]), "today": int(m[3]), "normal": int(m[4])}
    assert rows == {k: {u: v for u, v in row.items()} for k, row in MINUTES.items()}


def test_it_says_what_is_wrong_and_what_is_allowed(tree):
    with pytest.raises(HelpInvalid) as e:
        ask(tree.household_a, kind="pizza", urgency="soon", needed="  ", qty="0", phone="12")
    assert set(e.value.errors) == {"kind", "urgency", "needed", "qty", "phone"}
    assert "Medicine" in e.value.errors["kind"]
    assert "Urgent" in e.value.errors["urgency"]
    assert "1 to 50" in e.value.errors["qty"]
    assert HelpRequest.objects.count() == 0


def test_a_resent_form_makes_one_request(tree):
    client_id = uuid.uuid4()
    first = ask(tree.household_a, client_id=client_id)
    again = ask(tree.household_a, client_id=client_id, needed=" 硝苯地平缓释片  一盒 ")
    assert again.pk == first.pk
    assert HelpRequest.objects.count() == 1


def test_a_form_brought_back_for_something_else_is_refused_not_taken_for_the_first(tree):
    client_id = uuid.uuid4()
    ask(tree.household_a, client_id=client_id)
    with pytest.raises(HelpInvalid) as e:
        ask(tree.household_a, client_id=client_id, needed="大米 一袋", kind="food")
    assert "sent already (Medicine: 硝苯地平缓释片 一盒)" in e.value.errors["client_id"]
    with pytest.raises(HelpInvalid) as e:
        ask(tree.household_b, client_id=client_id)
    assert "another household" in e.value.errors["client_id"]
    assert HelpRequest.objects.count() == 1


def test_a_household_pressing_in_a_loop_is_stopped(tree):
    for _i in range(10):
        ask(tree.household_a)
    with pytest.raises(HelpInvalid) as e:
        ask(tree.household_a)
    assert "grid worker" in e.value.errors["household"]


def test_a_grid_worker_raises_for_a_household_of_their_grid_only(tree, people):
    scope = scope_of(people.grid_a)
    r = ask(tree.household_a, user=people.grid_a, scope=scope)
    assert r.source == Source.GRID_WORKER and r.raised_by == people.grid_a
    with pytest.raises(HelpInvalid):
        ask(tree.household_b, user=people.grid_a, scope=scope)


def test_hotline_staff_of_the_district_raise_requests(tree, people):
    r = ask(tree.household_b, user=people.district, scope=scope_of(people.district))
    assert r.source == Source.HOTLINE


@pytest.mark.parametrize("persona", ["street", "volunteer", "hq", "warehouse"])
def test_roles_that_do_not_take_calls_cannot_raise(tree, people, persona):
    with pytest.raises(PermissionDenied):
        ask(tree.household_a, user=people[persona], scope=scope_of(people[persona]))


def test_the_staff_form_raises_a_request_and_refuses_a_household_outside(tree, people, login):
    client = login(people.grid_a)
    body = {
        "household": tree.household_a.pk,
        "kind": "food",
        "urgency": "today",
        "needed": "大米 10斤",
        "qty": "1",
        "client_id": str(uuid.uuid4()),
    }
    response = client.post(reverse("assistance:new"), body)
    made = HelpRequest.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/help/{made.pk}/")
    outside = client.post(reverse("assistance:new"), body | {"household": tree.household_b.pk})
    assert outside.status_code == 404
    missing = client.post(reverse("assistance:new"), body | {"household": ""})
    assert missing.status_code == 400
    assert 'role="alert"' in missing.content.decode()


@given(text=st.text(max_size=400), qty=st.text(max_size=6), phone=st.text(max_size=25))
def test_the_cleaner_never_crashes_and_keeps_its_bounds(text, qty, phone):
    clean, errors = _clean(Ask(kind="other", urgency="normal", needed=text, qty=qty, phone=phone))
    if "needed" not in errors:
        assert 0 < len(clean.needed) <= 300
    if "qty" not in errors:
        assert 1 <= clean.qty <= 50
    if "phone" not in errors and clean.phone:
        assert re.fullmatch(r"1[3-9]\d{9}", clean.phone)


def test_due_at_follows_the_table():
    at = timezone.now()
    assert due_at("urgent_medical", "urgent", at) - at == dt.timedelta(minutes=30)
    assert due_at("transport", "urgent", at) - at == dt.timedelta(minutes=60)


def test_staff_need_a_scope(tree, people):
    with pytest.raises(ValueError):
        check_raise_request(
            household=tree.household_a,
            ask=Ask(kind="food", urgency="today", needed="米"),
            client_id=uuid.uuid4(),
            user=people.grid_a,
        )
