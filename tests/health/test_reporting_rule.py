"""Who must report daily: a region's staff set it on a page; the missing list says which rule
it follows, and says so when nobody at all is due."""

from __future__ import annotations

import re

from django.urls import reverse

from fangkong.accounts.models import AuditEntry
from fangkong.accounts.scope import scope_of
from fangkong.health.models import HealthRule
from fangkong.health.rules import rules_for
from fangkong.health.services import CheckInInvalid, check_set_region_rule

from .test_figures import report, watch


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def missing(client, grid):
    return client.get(reverse("health:missing", args=[grid.code]))


def rules_url(region, **extra):
    query = "".join(f"&{k}={v}" for k, v in extra.items())
    return reverse("health:rules") + f"?region={region.code}{query}"


def test_on_a_first_day_with_nobody_under_watch_the_list_says_nobody_is_due(tree, people, login):
    page = text(missing(login(people.grid_a), tree.grid_a))
    assert "默认规则：仅观察对象需每日上报" in page
    assert "本网格今天没有观察对象，无人需要上报。" in page
    assert "都已上报" not in page
    assert "（修改）" not in page  # a grid worker does not set the rule


def test_the_list_names_the_rule_and_its_region_and_how_many_were_due(tree, people, login):
    HealthRule.objects.create(region=tree.community_a, universal_reporting=True)
    report(tree.person_a)
    page = text(missing(login(people.community), tree.grid_a))
    assert "红星社区规则：全体居民需每日上报 （修改）" in page
    assert "需上报 2 人中，1 人今天还没有上报。" in page and "张小明" in page


def test_when_everyone_due_reported_the_list_says_how_many_that_was(tree, people, login):
    watch(tree.person_a)
    report(tree.person_a)
    page = text(missing(login(people.grid_a), tree.grid_a))
    assert "需上报的 1 人都已上报。" in page


def test_a_community_officer_switches_on_universal_reporting_and_the_list_follows(
    tree, people, login
):
    client = login(people.community)
    page = missing(client, tree.grid_a).content.decode()
    link = rules_url(tree.community_a, back=tree.grid_a.code)
    assert f'href="{link.replace("&", "&amp;")}"' in page
    form = text(client.get(link))
    assert "红星社区哪些人需要每日上报体温" in form and "沿用默认规则（目前：仅观察对象）" in form
    after = client.post(link, {"who_reports": "everyone", "back": tree.grid_a.code}, follow=True)
    assert after.redirect_chain[-1][0] == reverse("health:missing", args=[tree.grid_a.code])
    assert "红星社区规则：全体居民需每日上报" in text(after)
    assert "张伟" in text(after) and "张小明" in text(after)
    entry = AuditEntry.objects.get(action="rule_changed")
    assert (entry.user, entry.object_id, entry.region_path) == (
        people.community,
        tree.community_a.code,
        tree.community_a.path,
    )
    assert entry.detail == {"universal_reporting": [None, True]}
    # and back to the rule of the region above: the rule is gone, the audit says so
    client.post(rules_url(tree.community_a), {"who_reports": "inherit"})
    assert rules_for(tree.grid_a.path).universal_reporting is False
    assert AuditEntry.objects.filter(action="rule_changed").count() == 2


def test_the_page_shows_the_rule_of_the_region_above_and_areas_below_with_their_own(
    tree, people, login
):
    HealthRule.objects.create(region=tree.street, universal_reporting=True)
    HealthRule.objects.create(region=tree.grid_a, universal_reporting=False)
    form = text(login(people.community).get(rules_url(tree.community_a)))
    assert "沿用新华街道的规则（目前：全体居民）" in form
    assert "下级区域自定的规则 红星第1网格 · 仅观察对象" in form


def test_saving_the_same_rule_again_records_nothing(tree, people, login):
    client = login(people.street)
    client.post(rules_url(tree.street), {"who_reports": "watched"})
    client.post(rules_url(tree.street), {"who_reports": "watched"})
    assert AuditEntry.objects.filter(action="rule_changed").count() == 1
    assert HealthRule.objects.get(region=tree.street).universal_reporting is False


def test_an_unknown_choice_is_refused_with_a_message(tree, people, login):
    page = login(people.community).post(rules_url(tree.community_a), {"who_reports": "all"})
    assert page.status_code == 400 and "请选择谁需要上报" in text(page)
    assert not HealthRule.objects.exists()


def test_a_grid_worker_may_not_set_the_rule(tree, people, login):
    client = login(people.grid_a)
    assert client.get(rules_url(tree.grid_a)).status_code == 403
    assert client.post(rules_url(tree.grid_a), {"who_reports": "everyone"}).status_code == 403
    assert not HealthRule.objects.exists()


def test_a_community_officer_may_not_set_the_rule_of_the_street_above(tree, people):
    try:
        check_set_region_rule(
            user=people.community,
            scope=scope_of(people.community),
            region=tree.street,
            who_reports="everyone",
        )
    except CheckInInvalid as e:
        assert "region" in e.errors
    else:
        raise AssertionError("set a rule outside the officer's area")
    assert not HealthRule.objects.exists()
