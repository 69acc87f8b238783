"""Planning campaigns: the pool size, the days, the target, a form sent twice; the command."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.core.management import CommandError, call_command

from fangkong.accounts.scope import scope_of
from fangkong.screening.models import Campaign
from fangkong.screening.services import ScreeningInvalid, check_create_campaign

DAY = dt.date(2026, 3, 2)


def _plan(tree, people, **kw):
    fields = {
        "user": people.street,
        "scope": scope_of(people.street),
        "region": tree.community_a,
        "start_on": DAY,
        "pool_size": 10,
    }
    return check_create_campaign(**{**fields, **kw})


def test_a_campaign_is_named_after_its_region_and_day_when_unnamed(tree, people):
    c = _plan(tree, people)
    assert (c.name, c.end_on, c.region_path) == ("红星社区 testing 3/2", DAY, tree.community_a.path)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"pool_size": 8}, "pool_size"),
        ({"end_on": DAY - dt.timedelta(days=1)}, "end_on"),
        ({"end_on": DAY + dt.timedelta(days=40)}, "end_on"),
        ({"target": "tag"}, "target_tag"),
        ({"target": "everyone"}, "target"),
    ],
)
def test_a_bad_plan_says_what_is_wrong(tree, people, kw, field):
    with pytest.raises(ScreeningInvalid) as e:
        _plan(tree, people, **kw)
    assert field in e.value.errors


def test_a_form_sent_twice_plans_one_campaign(tree, people):
    cid = uuid.uuid4()
    assert _plan(tree, people, client_id=cid) == _plan(tree, people, client_id=cid)
    assert Campaign.objects.count() == 1


def test_a_region_outside_the_planners_area_is_refused(tree, people):
    with pytest.raises(ScreeningInvalid):
        _plan(tree, people, region=tree.grid_c)


def test_the_campaign_command_prints_the_new_campaign_with_its_id(tree, capsys):
    call_command(
        "screening",
        "campaign",
        "--region",
        tree.street.code,
        "--pool",
        "20",
        "--on",
        "2026-03-02",
        "--until",
        "2026-03-04",
        "--name",
        "新华街道第3轮",
        "--json",
    )
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    campaign = Campaign.objects.get()
    assert out["id"] == campaign.pk
    assert (out["name"], out["pool_size"], out["start_on"], out["end_on"]) == (
        "新华街道第3轮",
        20,
        "2026-03-02",
        "2026-03-04",
    )


def test_the_campaign_command_refuses_what_it_cannot_plan(tree):
    with pytest.raises(CommandError):
        call_command(
            "screening", "campaign", "--region", "999999", "--pool", "10", "--on", "2026-03-02"
        )
    with pytest.raises(CommandError, match="before the first"):
        call_command(
            "screening",
            "campaign",
            "--region",
            tree.street.code,
            "--pool",
            "10",
            "--on",
            "2026-03-02",
            "--until",
            "2026-03-01",
        )
