"""A task's swab on the grid worker's phone: today's single-tube round of the campaign (单管复核),
the tube scanned, the person swabbed into it; the tube closes at once (pool 1), and the
swab closes the task (``tasks.do_close_tasks_by_swabs``, called by the sampling service)."""

from __future__ import annotations

import uuid

from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope

from ..choices import Target, TaskStatus
from ..labmodels import Task
from ..models import Campaign, Sample
from .campaigns import check_create_campaign
from .errors import ScreeningInvalid
from .tubes import SwabData, check_add_swabs, check_open_tube

FOLLOW_UP = uuid.UUID("5b0e2f7a-3c1d-4e8f-a6b9-7d2c4e1f0a93")


def follow_up_campaign(campaign: Campaign) -> Campaign:
    """Today's single-tube round (单管复核) of a campaign, where its retests and re-samples
    are swabbed: made the first time a grid worker takes one, the same all day."""
    today = timezone.localdate()
    return check_create_campaign(
        user=None,
        scope=None,
        region=campaign.region,
        start_on=today,
        pool_size=1,
        name=_("%(name)s single-tube retests %(day)s")
        % {"name": campaign.name[:60], "day": f"{today.month}/{today.day}"},
        target=Target.WATCHED,
        client_id=uuid.uuid5(FOLLOW_UP, f"{campaign.pk}|{today.isoformat()}"),
    )


def check_take_task_swab(
    *, user: User, scope: Scope, task: Task, barcode: str, client_id: uuid.UUID | None = None
):
    """The grid worker scans a single tube and swabs the task's person into it: the tube
    closes at once (pool 1) and the task is done. A retried post is stored once."""
    scope.require(Cap.SAMPLING)
    if not scope.contains(task.region_path):
        raise ScreeningInvalid({"task": _("the person is outside your area")})
    if client_id is not None:
        stored = Sample.objects.select_related("tube").filter(client_id=client_id).first()
        if stored is not None and stored.person_id == task.person_id:  # a retried post
            task.refresh_from_db()
            return task, stored.tube
    if task.status != TaskStatus.OPEN:
        raise ScreeningInvalid({"task": _("this task is already done")})
    round_ = follow_up_campaign(task.campaign)
    tube, _created = check_open_tube(
        user=user,
        scope=scope,
        campaign=round_,
        barcode=barcode,
        client_id=uuid.uuid5(client_id, "tube") if client_id else None,
    )
    result = check_add_swabs(
        user=user,
        scope=scope,
        tube=tube,
        items=[SwabData(client_id=client_id or uuid.uuid4(), person_id=task.person_id)],
    )
    if result.rejected:
        raise ScreeningInvalid({"barcode": result.rejected[0][1]})
    task.refresh_from_db()
    return task, tube
