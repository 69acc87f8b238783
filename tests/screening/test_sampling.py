"""Sampling rules: tubes by barcode, swabs with client ids, the pool size, repeats flagged."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import AuditEntry
from fangkong.accounts.scope import scope_of
from fangkong.screening.models import Sample, Tube, Untested
from fangkong.screening.services import (
    ScreeningInvalid,
    SwabData,
    check_add_swabs,
    check_close_tube,
    check_open_tube,
    check_record_untested,
    check_remove_swab,
)

from ..conftest import make_person
from .conftest import make_campaign, open_tube, swab


def test_a_scanned_barcode_is_stored_as_ascii_upper_case(people, campaign):
    tube = open_tube(people.grid_a, campaign, barcode=" hx-００１２３ ")
    assert tube.barcode == "HX00123"
    assert tube.pool_size == 5 and tube.status == "open"
    assert tube.region_path == people.grid_a.scope_region.path  # where it was opened


def test_scanning_an_open_tube_again_goes_on_with_it(people, campaign):
    first = open_tube(people.grid_a, campaign)
    again, created = check_open_tube(
        user=people.grid_a, scope=scope_of(people.grid_a), campaign=campaign, barcode="hx000001"
    )
    assert (again.pk, created) == (first.pk, False)


def test_a_retried_open_request_returns_the_same_tube(people, campaign):
    cid = uuid.uuid4()
    first = open_tube(people.grid_a, campaign, client_id=cid)
    swab(
        people.grid_a,
        first,
        *[make_person(first.campaign.region.children.first()) for _ in range(5)],
    )
    again = open_tube(people.grid_a, campaign, client_id=cid)
    assert again.pk == first.pk and Tube.objects.count() == 1


def test_a_barcode_used_in_another_campaign_is_refused(tree, people, campaign):
    open_tube(people.grid_a, campaign)
    other = make_campaign(tree, name="第2轮")
    with pytest.raises(ScreeningInvalid) as e:
        open_tube(people.grid_a, other)
    assert "another campaign" in e.value.errors["barcode"]


def test_a_closed_tube_is_not_opened_again(tree, people, campaign):
    tube = open_tube(people.grid_a, campaign)
    swab(people.grid_a, tube, tree.person_a)
    check_close_tube(scope=scope_of(people.grid_a), tube=tube)
    with pytest.raises(ScreeningInvalid) as e:
        open_tube(people.grid_a, campaign)
    assert "used once" in e.value.errors["barcode"]


def test_a_barcode_that_is_no_barcode_says_what_one_is(people, campaign):
    with pytest.raises(ScreeningInvalid) as e:
        open_tube(people.grid_a, campaign, barcode="12")
    assert "4 to 40 letters and digits" in e.value.errors["barcode"]


def test_no_tube_opens_outside_the_campaigns_days(tree, people):
    later = make_campaign(tree, start_on=timezone.localdate() + dt.timedelta(days=2))
    with pytest.raises(ScreeningInvalid) as e:
        open_tube(people.grid_a, later)
    assert "runs" in e.value.errors["campaign"]


def test_the_tube_closes_at_its_pool_size_and_takes_no_more(tree, people, campaign):
    tube = open_tube(people.grid_a, campaign)
    residents = [make_person(tree.grid_a) for _ in range(6)]
    result = swab(people.grid_a, tube, *residents)
    assert result.created == 5 and result.closed
    assert [reason for _i, reason in result.rejected] == [
        "tube HX000001 is full (5 swabs); open a new tube"
    ]
    tube.refresh_from_db()
    assert tube.status == "closed" and tube.closed_at is not None
    late = swab(people.grid_a, tube, residents[5])
    assert late.created == 0 and "is closed" in late.rejected[0][1]


def test_a_retried_upload_never_doubles_a_swab(tree, people, campaign):
    tube = open_tube(people.grid_a, campaign)
    cid = uuid.uuid4()
    swab(people.grid_a, tube, tree.person_a, client_id=cid)
    again = swab(people.grid_a, tube, tree.person_a, client_id=cid)
    assert (again.created, again.duplicates, again.rejected) == (0, 1, [])
    assert Sample.objects.count() == 1


def test_the_same_client_id_with_another_person_is_refused_not_taken_as_a_retry(
    tree, people, campaign
):
    tube = open_tube(people.grid_a, campaign)
    cid = uuid.uuid4()
    swab(people.grid_a, tube, tree.person_a, client_id=cid)
    other = swab(people.grid_a, tube, tree.child_a, client_id=cid)
    assert (other.created, other.duplicates) == (0, 0)
    assert other.rejected == [(0, "this client id was sent for another person; scan them again")]
    same_request = check_add_swabs(
        user=people.grid_a,
        scope=scope_of(people.grid_a),
        tube=tube,
        items=[SwabData(cid2 := uuid.uuid4(), tree.child_a.pk), SwabData(cid2, tree.person_a.pk)],
    )
    assert (same_request.created, same_request.duplicates) == (1, 0)
    assert [i for i, _why in same_request.rejected] == [1]
    assert sorted(Sample.objects.values_list("person__name", flat=True)) == ["张伟", "张小明"]


def test_a_tube_client_id_sent_again_with_another_barcode_is_refused(people, campaign):
    cid = uuid.uuid4()
    first = open_tube(people.grid_a, campaign, barcode="HX000001", client_id=cid)
    with pytest.raises(ScreeningInvalid, match="another tube"):
        open_tube(people.grid_a, campaign, barcode="HX000002", client_id=cid)
    assert list(Tube.objects.values_list("pk", flat=True)) == [first.pk]


def test_a_retry_after_the_tube_filled_is_still_a_duplicate(tree, people):
    single = make_campaign(tree, pool_size=1)
    tube = open_tube(people.grid_a, single)
    cid = uuid.uuid4()
    assert swab(people.grid_a, tube, tree.person_a, client_id=cid).closed
    again = swab(people.grid_a, tube, tree.person_a, client_id=cid)
    assert (again.duplicates, again.rejected) == (1, [])


def test_the_same_person_twice_in_a_campaign_is_stored_and_flagged(tree, people, campaign):
    first = open_tube(people.grid_a, campaign, barcode="HX000001")
    second = open_tube(people.grid_a, campaign, barcode="HX000002")
    swab(people.grid_a, first, tree.person_a)
    result = swab(people.grid_a, second, tree.person_a)
    assert result.created == 1 and result.repeats == [tree.person_a.pk]
    assert list(Sample.objects.order_by("id").values_list("repeat", flat=True)) == [False, True]


def test_the_same_person_twice_in_one_tube_is_refused(tree, people, campaign):
    tube = open_tube(people.grid_a, campaign)
    swab(people.grid_a, tube, tree.person_a)
    result = swab(people.grid_a, tube, tree.person_a)
    assert result.created == 0 and "already in tube" in result.rejected[0][1]


def test_a_person_outside_the_samplers_area_is_refused(tree, people, campaign):
    tube = open_tube(people.grid_a, campaign)
    result = swab(people.grid_a, tube, tree.person_b)
    assert result.created == 0 and "in your area" in result.rejected[0][1]


def test_a_swab_dated_in_the_future_is_refused(tree, people, campaign):
    tube = open_tube(people.grid_a, campaign)
    later = timezone.now() + dt.timedelta(hours=1)
    result = check_add_swabs(
        user=people.grid_a,
        scope=scope_of(people.grid_a),
        tube=tube,
        items=[SwabData(uuid.uuid4(), tree.person_a.pk, sampled_at=later)],
    )
    assert result.rejected == [(0, "the sampling time is in the future")]


def test_a_volunteer_samples_in_their_area(tree, people, campaign):
    tube = open_tube(people.volunteer, campaign)
    assert swab(people.volunteer, tube, tree.person_a).created == 1


def test_roles_that_do_not_sample_cannot_open_a_tube(people, campaign):
    from django.core.exceptions import PermissionDenied

    for who in ("hq", "street", "lab"):
        with pytest.raises(PermissionDenied):
            open_tube(people[who], campaign)


def test_closing_early_and_not_closing_an_empty_tube(tree, people, campaign):
    tube = open_tube(people.grid_a, campaign)
    with pytest.raises(ScreeningInvalid):
        check_close_tube(scope=scope_of(people.grid_a), tube=tube)
    swab(people.grid_a, tube, tree.person_a)
    assert check_close_tube(scope=scope_of(people.grid_a), tube=tube).status == "closed"


def test_removing_a_wrong_swab_is_audited_with_its_reason(tree, people, campaign):
    tube = open_tube(people.grid_a, campaign)
    swab(people.grid_a, tube, tree.person_a)
    sample = Sample.objects.get()
    with pytest.raises(ScreeningInvalid):
        check_remove_swab(
            user=people.grid_a, scope=scope_of(people.grid_a), sample=sample, reason=" "
        )
    check_remove_swab(
        user=people.grid_a, scope=scope_of(people.grid_a), sample=sample, reason="扫错人"
    )
    assert not Sample.objects.exists()
    entry = AuditEntry.objects.get(action=AuditAction.DELETE, object_type="sample")
    assert entry.detail["reason"] == "扫错人" and entry.detail["tube"] == "HX000001"


def test_a_swab_in_a_tube_sent_to_the_lab_is_not_removed(tree, people, campaign):
    tube = open_tube(people.grid_a, campaign)
    swab(people.grid_a, tube, tree.person_a)
    Tube.objects.filter(pk=tube.pk).update(status="sent")
    with pytest.raises(ScreeningInvalid) as e:
        check_remove_swab(
            user=people.grid_a,
            scope=scope_of(people.grid_a),
            sample=Sample.objects.get(),
            reason="扫错人",
        )
    assert "lab" in e.value.errors["tube"]


def test_a_grid_worker_records_why_a_resident_is_untested(tree, people, campaign):
    scope = scope_of(people.grid_a)
    check_record_untested(
        user=people.grid_a, scope=scope, campaign=campaign, person=tree.person_a, reason="hospital"
    )
    check_record_untested(
        user=people.grid_a,
        scope=scope,
        campaign=campaign,
        person=tree.person_a,
        reason="away",
        note="在外地",
    )
    assert list(Untested.objects.values_list("reason", "note")) == [("away", "在外地")]
    check_record_untested(
        user=people.grid_a, scope=scope, campaign=campaign, person=tree.person_a, reason=""
    )
    assert not Untested.objects.exists()
    with pytest.raises(ScreeningInvalid):
        check_record_untested(
            user=people.grid_a, scope=scope, campaign=campaign, person=tree.person_b, reason="away"
        )


def test_a_person_outside_the_campaigns_region_is_refused(tree, people):
    from fangkong.regions.services import create_region

    grid_campaign = make_campaign(tree, region=tree.grid_a)
    next_grid = create_region(
        code="430102001001002", name="红星第2网格", level="grid", parent=tree.community_a
    )
    neighbour = make_person(next_grid)  # in the sampler's community, not in the campaign's grid
    tube = open_tube(people.community, grid_campaign)
    result = swab(people.community, tube, tree.person_a, neighbour)
    assert result.created == 1
    assert result.rejected == [(1, "the person lives outside the campaign's region (红星第1网格)")]
    assert list(Sample.objects.values_list("person_id", flat=True)) == [tree.person_a.pk]
