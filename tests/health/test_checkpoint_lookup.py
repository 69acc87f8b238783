"""A checkpoint's ID number field is not an oracle.

A masked role that staffs checkpoints (street staff, volunteers) knows a resident's birth year
and the last four characters of their number: about 32 candidates remain (docs/scope.md).
Typing each at a checkpoint must not tell which is registered: the post is told "under
observation" or nothing, the same for a number not registered here as for one registered and
not watched; each lookup is audited and an account's lookups are limited.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest
from django.urls import reverse

from fangkong.accounts.models import AuditEntry
from fangkong.accounts.scope import scope_of
from fangkong.common.idnumbers import make
from fangkong.health.models import Passage
from fangkong.health.services import check_create_checkpoint, check_start_observation
from fangkong.health.services import checkpoints as checkpoint_services

WATCHED = "正在观察"


def candidates(real: str, n: int = 32) -> list[str]:
    """``real`` and other valid numbers a masked role cannot tell from it: the same first four
    and last four characters, a birth date in the same year."""
    out = [real]
    year, last4 = int(real[6:10]), real[-4:]
    days = (dt.date(year, 1, 1) + dt.timedelta(days=d) for d in range(0, 365, 7))
    for area, born in itertools.product(range(1, 100), days):
        number = make(f"{real[:4]}{area:02d}", born, int(last4[:3]))
        if number[-4:] == last4 and number != real:
            out.append(number)
        if len(out) == n:
            return out
    raise AssertionError("not enough candidates")


@pytest.fixture
def post_of(tree, people):
    point = check_create_checkpoint(
        scope=scope_of(people.street),
        region=tree.grid_a,
        name="东门",
        opens_at=dt.time(0),
        closes_at=dt.time(0),
        overnight=True,
    )
    return reverse("health:checkpoint", args=[point.pk])


def log(client, url, number, **extra):
    body = {"client_id": str(uuid.uuid4()), "direction": "in", "outcome": "allowed"}
    return client.post(url, {**body, "id_number": number, **extra})


def answers(client, url, numbers) -> list[tuple[int, str, int]]:
    """What the post learns from each number: the response, and the day's list after it."""
    seen = []
    for number in numbers:
        response = log(client, url, number)
        page = client.get(url).content.decode()
        seen.append((response.status_code, response.get("Location", ""), page.count(WATCHED)))
    return seen


def test_trying_32_candidates_does_not_tell_which_number_is_registered(
    tree, people, login, post_of
):
    numbers = candidates(tree.person_a.id_number)
    client = login(people.street)
    seen = answers(client, post_of, numbers)
    assert seen == [(302, post_of, 0)] * len(numbers)
    assert Passage.objects.count() == 32
    assert Passage.objects.filter(person=tree.person_a).count() == 1  # kept, never shown


def test_only_a_person_under_observation_is_told_apart_the_post_must_stop_them(
    tree, people, login, post_of
):
    check_start_observation(
        user=people.grid_a,
        scope=scope_of(people.grid_a),
        person=tree.person_a,
        kind="home_observation",
        reason="返乡",
    )
    numbers = candidates(tree.person_a.id_number)
    seen = answers(login(people.street), post_of, numbers)
    assert [watched for _s, _l, watched in seen] == [1] * 32  # the first passage, then the same
    page = login(people.street).get(post_of).content.decode()
    assert "不应外出" in page


def test_every_lookup_by_a_masked_role_is_audited_with_the_person_when_matched(
    tree, people, login, post_of
):
    numbers = candidates(tree.person_a.id_number, 5)
    answers(login(people.street), post_of, numbers)
    entries = AuditEntry.objects.filter(action="view", detail__via="checkpoint")
    assert entries.count() == 5
    assert {e.username for e in entries} == {people.street.username}
    matched = entries.exclude(object_id="")
    assert [(e.object_type, e.object_id) for e in matched] == [("person", str(tree.person_a.pk))]
    assert all(tree.person_a.id_number not in str(e.detail) for e in entries)


def test_a_role_that_may_unmask_is_not_audited_per_lookup(tree, people, login, post_of):
    answers(login(people.grid_a), post_of, [tree.person_a.id_number])
    assert not AuditEntry.objects.filter(detail__via="checkpoint").exists()
    assert Passage.objects.get().person == tree.person_a


def test_lookups_are_limited_per_account_and_the_message_says_when_to_retry(
    tree, people, login, post_of, monkeypatch
):
    monkeypatch.setattr(checkpoint_services, "LOOKUPS_PER_HOUR", 3)
    client = login(people.street)
    numbers = candidates(tree.person_a.id_number, 4)
    assert [log(client, post_of, n).status_code for n in numbers[:3]] == [302] * 3
    refused = log(client, post_of, numbers[3])
    text = refused.content.decode()
    assert refused.status_code == 200 and 'role="alert"' in text
    assert "3" in text and "之后再试" in text
    assert log(client, post_of, "").status_code == 302  # a passage without a number still logs
    assert log(login(people.volunteer), post_of, numbers[3]).status_code == 302  # per account
