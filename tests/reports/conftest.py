"""A small city with a day of health records (tests/conftest.py's tree, on a fixed past day).

On DAY (three days ago), in the tree of tests/conftest.py:
- 张伟 (grid A, elderly living alone) under home observation since two days before, checked in;
- 李娜 (grid B) in central quarantine from DAY, did not check in; her alert of the day before
  was closed on DAY at 09:00;
- 张小明 (grid A, a child, not under watch) checked in with 38.2 °C: an alert opened at 10:00,
  due at 12:00, still open (overdue); reported a confirmed case that day, 李娜 his contact;
- 王芳 (grid C, the other district) checked in, not under watch;
- grid A's checkpoint: 3 passages, 1 turned back.
Everyone was registered a month before DAY.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from fangkong.health.models import Alert, Case, CheckIn, Checkpoint, Contact, Passage
from fangkong.health.services import counters
from fangkong.people.models import Person
from fangkong.people.services.counters import recount
from tests.conftest import start_watch

DAY = dt.date.today() - dt.timedelta(days=3)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def check_in(person, when: dt.datetime, temperature="36.5"):
    """A check-in measured at ``when`` (no alert), counted in its grid's day as every writer
    counts its rows (services/counters.py): the report reads the counters."""
    row = CheckIn.objects.create(
        client_id=uuid.uuid4(),
        person=person,
        region_path=person.region_path,
        measured_at=when,
        on=timezone.localtime(when).date(),
        temperature=temperature,
        source="grid_worker",
    )
    counters.add([(row.on, row.region_path, person.pk, Decimal(temperature))])
    return row


def watch(person, kind: str, start: dt.date, days: int = 14):
    return start_watch(person, kind=kind, start=start, end=start + dt.timedelta(days=days - 1))


def alert(person, opened: dt.datetime, minutes: int = 120, closed: dt.datetime | None = None):
    return Alert.objects.create(
        person=person,
        region_path=person.region_path,
        reason="fever",
        temperature="38.2",
        opened_at=opened,
        deadline_at=opened + dt.timedelta(minutes=minutes),
        closed_at=closed,
        outcome="normal" if closed else "",
    )


def seed_day(tree, operator) -> None:
    Person.objects.update(created_at=at(DAY - dt.timedelta(days=30), 9))
    recount()  # written around the services: the registry's counters again
    watch(tree.person_a, "home_observation", DAY - dt.timedelta(days=2))
    watch(tree.person_b, "central_quarantine", DAY, days=7)
    check_in(tree.person_a, at(DAY, 9))
    check_in(tree.child_a, at(DAY, 10), "38.2")
    check_in(tree.person_c, at(DAY, 11))
    alert(tree.person_b, at(DAY - dt.timedelta(days=1), 15), closed=at(DAY, 9))
    alert(tree.child_a, at(DAY, 10))
    case = Case.objects.create(
        person=tree.child_a,
        region_path=tree.child_a.region_path,
        classification="confirmed",
        report_on=DAY,
    )
    contact = Contact.objects.create(
        case=case,
        person=tree.person_b,
        region_path=tree.person_b.region_path,
        kind="close",
        last_exposure_on=DAY,
    )
    Case.objects.filter(pk=case.pk).update(created_at=at(DAY, 11))
    Contact.objects.filter(pk=contact.pk).update(created_at=at(DAY, 11, 30))
    post = Checkpoint.objects.create(region=tree.grid_a, region_path=tree.grid_a.path, name="东门")
    for minute, outcome in ((0, "allowed"), (10, "allowed"), (20, "turned_back")):
        Passage.objects.create(
            checkpoint=post,
            client_id=uuid.uuid4(),
            region_path=post.region_path,
            passed_at=at(DAY, 8, minute),
            on=DAY,
            direction="in",
            outcome=outcome,
            operator=operator,
        )


@pytest.fixture
def city(tree, people):
    seed_day(tree, people.volunteer)
    return tree
