"""Overdue requests go up as fever alerts do: community → street → district, from the timer."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from fangkong.assistance.choices import Level, Status
from fangkong.assistance.deadlines import ESCALATED_MINUTES
from fangkong.assistance.models import HelpRequest
from fangkong.assistance.services import escalate_overdue_requests

from .conftest import ask


def _overdue(r, minutes=1):
    HelpRequest.objects.filter(pk=r.pk).update(
        deadline_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


def test_an_overdue_request_goes_to_the_street_then_the_district(tree):
    r = ask(tree.household_a, kind="medicine", urgency="urgent")
    _overdue(r)
    now = timezone.now()
    assert escalate_overdue_requests(now) == (1, False)
    r.refresh_from_db()
    assert r.level == Level.STREET and r.escalated_at == now
    assert r.deadline_at == now + dt.timedelta(minutes=ESCALATED_MINUTES)
    assert escalate_overdue_requests(now) == (0, False)  # not overdue again yet
    _overdue(r)
    escalate_overdue_requests(timezone.now())
    r.refresh_from_db()
    assert r.level == Level.DISTRICT
    _overdue(r)
    assert escalate_overdue_requests(timezone.now()) == (0, False)  # the top: stays, overdue


def test_requests_in_time_or_closed_stay(tree):
    waiting = ask(tree.household_a)
    done = ask(tree.household_b)
    HelpRequest.objects.filter(pk=done.pk).update(
        status=Status.CANCELLED,
        closed_at=timezone.now(),
        deadline_at=timezone.now() - dt.timedelta(hours=1),
    )
    assert escalate_overdue_requests(timezone.now()) == (0, False)
    waiting.refresh_from_db()
    assert waiting.level == Level.COMMUNITY


def test_a_step_says_when_more_work_is_waiting(tree):
    for _i in range(3):
        _overdue(ask(tree.household_a))
    assert escalate_overdue_requests(timezone.now(), batch=2) == (2, True)
    assert escalate_overdue_requests(timezone.now(), batch=2) == (1, False)
    assert HelpRequest.objects.filter(level=Level.STREET).count() == 3


def test_the_escalate_command_runs_the_requests_step(tree):
    _overdue(ask(tree.household_a))
    out = StringIO()
    call_command("escalate", stdout=out)
    assert "escalated 1 help requests" in out.getvalue()
    assert HelpRequest.objects.get().level == Level.STREET
