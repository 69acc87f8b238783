"""Mass testing's section of the daily report."""

from __future__ import annotations

from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.reports.selectors import daily_report

from .conftest import open_tube, swab


def _section(content, key="screening"):
    return next(s for s in content["sections"] if s["key"] == key)


def test_the_report_counts_todays_swabs_tubes_and_the_share_of_the_target(tree, people, campaign):
    swab(people.grid_a, open_tube(people.grid_a, campaign), tree.person_a)
    content = daily_report(scope_of(people.street), tree.street, timezone.localdate())
    section = _section(content)
    today = {f["key"]: f["today"] for f in section["figures"]}
    assert today == {
        "swabs": 1,
        "tubes": 1,
        "target": 2,  # 红星社区's two residents (the campaign's region)
        "tested": 1,
        "untested": 1,
        "positive": 0,
    }
    rows = {r["code"]: r["values"] for r in section["rows"]}
    assert rows[tree.community_a.code]["tested"] == 1
    assert rows[tree.community_b.code].get("target", 0) == 0


def test_a_round_at_an_hour_counts_only_the_swabs_taken_before_it(tree, people, campaign):
    import datetime as dt
    import uuid

    from fangkong.accounts.scope import scope_of as scope
    from fangkong.screening.services import SwabData, check_add_swabs

    tube = open_tube(people.grid_a, campaign)
    now = timezone.now()
    check_add_swabs(
        user=people.grid_a,
        scope=scope(people.grid_a),
        tube=tube,
        items=[SwabData(uuid.uuid4(), tree.person_a.pk, sampled_at=now - dt.timedelta(minutes=1))],
    )
    earlier = daily_report(
        scope_of(people.street), tree.street, timezone.localdate(), now - dt.timedelta(minutes=2)
    )
    today = {f["key"]: f["today"] for f in _section(earlier)["figures"]}
    assert (today["swabs"], today["tested"], today["target"]) == (0, 0, 2)
