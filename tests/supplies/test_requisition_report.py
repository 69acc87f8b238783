"""The supplies section of the daily report counts the requisitions open at the report's
moment and what they still need; its trend says the same day by day."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.reports.sections import registered, until_of
from fangkong.supplies.models import AllocationRound, Requisition
from fangkong.supplies.services import (
    check_cancel,
    check_confirm,
    check_decide,
    check_raise,
    propose_round,
)

from .conftest import make_point, receive

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAYS = [TODAY - dt.timedelta(days=back) for back in range(6, 0, -1)]


def noon(back: int) -> dt.datetime:
    day = TODAY - dt.timedelta(days=back)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def section():
    return next(s for s in registered() if s.key == "supplies")


def test_open_requisitions_and_what_they_need_day_by_day(tree, people, n95):
    point = make_point(tree.district, code="FR01", name="芙蓉区物资仓库")
    receive(point, n95, 60)

    def raised(qty, back, unit):
        req, _ = check_raise(
            user=people.hospital,
            region=tree.district,
            unit=unit,
            item=n95,
            qty=qty,
            tier=1,
            client_id=uuid.uuid4(),
        )
        check_decide(requisition=req, approve=True, user=people.district)
        Requisition.objects.filter(pk=req.pk).update(
            raised_at=noon(back), decided_at=noon(back), approved_at=noon(back)
        )
        return req

    a = raised(100, 5, "芙蓉区人民医院")
    b = raised(40, 4, "新华街道卡口")
    raised(10, 4, "芷园社区")
    check_cancel(requisition=Requisition.objects.get(unit="芷园社区"), user=people.hospital)
    Requisition.objects.filter(unit="芷园社区").update(decided_at=noon(2))
    rnd = propose_round(point=point)
    check_confirm(round=rnd)
    AllocationRound.objects.filter(pk=rnd.pk).update(confirmed_at=noon(3))
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.filled + b.filled == 60

    scope = scope_of(people.district)
    s = section()
    figures = [
        {
            f.key: f.value
            for f in s.figures(scope, tree.district, d, until_of(d)).figures
            if f.key.startswith("requisitions")
        }
        for d in DAYS
    ]
    assert [f["requisitions_open"] for f in figures] == [0, 1, 3, 3, 2, 2]
    assert [f["requisitions_short"] for f in figures] == [0, 100, 150, 90, 80, 80]
    trend = s.trend(scope, tree.district, [(d, until_of(d)) for d in DAYS])
    assert [{k: t.get(k, 0) for k in figures[0]} for t in trend] == figures
    # the rows per child region put them where the units are
    day = s.figures(scope, tree.district, DAYS[-1], until_of(DAYS[-1]))
    assert day.values[tree.district.path]["requisitions_short"] == 80
