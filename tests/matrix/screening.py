"""Rows for mass testing: campaign pages, sampling pages, the API (docs/screening.md).

The subject is a campaign of 红星社区 (grid A's community) running today, with a tube opened in
grid A holding 张伟's swab. Street staff and above plan; grid A's worker, community staff and
the volunteer of 红星社区 sample; everyone from the grid worker up follows coverage.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from .common import REGISTRY, E, Endpoint

PLANNERS = {"hq", "district", "street"}
SAMPLERS = {"community", "grid_a", "volunteer"}
FOLLOWERS = REGISTRY  # hq, district, street, community, grid_a
NAME = "红星社区第1轮"

ROWS: dict[str, Endpoint] = {}


def _campaign(tree):
    from fangkong.screening.models import Campaign

    if not Campaign.objects.filter(name=NAME).exists():
        today = dt.date.today()
        Campaign.objects.create(
            name=NAME,
            region=tree.community_a,
            region_path=tree.community_a.path,
            start_on=today - dt.timedelta(days=1),
            end_on=today + dt.timedelta(days=1),
            pool_size=10,
        )


def _tube(tree):
    import uuid

    from django.utils import timezone

    from fangkong.screening.models import Campaign, Sample, Tube

    _campaign(tree)
    campaign = Campaign.objects.get(name=NAME)
    tube = Tube.objects.create(
        campaign=campaign,
        barcode="HX900001",
        pool_size=10,
        region_path=tree.grid_a.path,
        opened_at=timezone.now(),
    )
    Sample.objects.create(
        client_id=uuid.uuid4(),
        campaign=campaign,
        tube=tube,
        person=tree.person_a,
        region_path=tree.person_a.region_path,
        sampled_at=timezone.now(),
        source="phone",
    )


def _campaign_id(tree):
    from fangkong.screening.models import Campaign

    return Campaign.objects.get(name=NAME).pk


def _tube_id(tree):
    from fangkong.screening.models import Tube

    return Tube.objects.get(barcode="HX900001").pk


def _sample_id(tree):
    from fangkong.screening.models import Sample

    return Sample.objects.get(person=tree.person_a).pk


def _name(tree):
    return NAME


def _zhang_wei(tree):
    return "张伟"


def _grid(t):
    return f"?region={t.grid_a.code}"


def _answer(ok, allowed: set[str]):
    """``ok`` for ``allowed``; grid B's worker, whose area holds neither grid A nor the
    campaign, finds nothing (404) where the role could act; every other role is refused."""

    def expect(persona: str):
        if persona in allowed:
            return ok
        return 404 if persona == "grid_b" else 403

    return expect


def _planners_only(ok):
    """Planning comes first: grid B's worker, who does not plan, is refused (403)."""
    return lambda persona: ok if persona in PLANNERS else 403


def _named_to_registry(persona: str):
    """A tube's members by name to the registry's roles; a volunteer sees swabs, no names."""
    if persona in FOLLOWERS:
        return "shown"
    if persona == "volunteer":
        return "hidden"
    return 404 if persona == "grid_b" else 403


ROWS["screening:campaigns"] = E(
    lambda t: reverse("screening:campaigns") + _grid(t),
    lambda p: "shown" if p in FOLLOWERS | {"volunteer"} else (404 if p == "grid_b" else 403),
    shown=_name,
    setup=_campaign,
)
ROWS["screening:campaigns?post"] = E(
    lambda t: reverse("screening:campaigns") + _grid(t),
    _answer(302, PLANNERS),
    method="post",
    body=lambda t: {"pool_size": "10", "start_on": dt.date.today().isoformat()},
    form=True,
)
ROWS["screening:campaign"] = E(
    lambda t: reverse("screening:campaign", args=[_campaign_id(t)]),
    _answer(200, FOLLOWERS),
    setup=_campaign,
)
ROWS["screening:campaign?post"] = E(
    lambda t: reverse("screening:campaign", args=[_campaign_id(t)]),
    _answer(302, PLANNERS),
    method="post",
    setup=_campaign,
    body=lambda t: {"action": "point", "name": "红星广场"},
    form=True,
)
ROWS["screening:untested"] = E(
    lambda t: reverse("screening:untested", args=[_campaign_id(t), t.grid_a.code]),
    lambda p: "shown" if p in FOLLOWERS else (404 if p == "grid_b" else 403),
    shown=_zhang_wei,
    setup=_campaign,
)
ROWS["screening:untested?post"] = E(
    lambda t: reverse("screening:untested", args=[_campaign_id(t), t.grid_a.code]),
    _answer(302, {"community", "grid_a"}),
    method="post",
    setup=_campaign,
    body=lambda t: {"person": t.person_a.pk, "reason": "away"},
    form=True,
)
ROWS["screening:sample"] = E(
    lambda t: reverse("screening:sample", args=[_campaign_id(t)]),
    _answer(200, SAMPLERS),
    setup=_campaign,
)
ROWS["screening:sample?post"] = E(
    lambda t: reverse("screening:sample", args=[_campaign_id(t)]),
    _answer(302, SAMPLERS),
    method="post",
    setup=_campaign,
    body=lambda t: {"barcode": "HX900002"},
    form=True,
)
ROWS["screening:tube"] = E(
    lambda t: reverse("screening:tube", args=[_tube_id(t)]),
    _answer(200, FOLLOWERS | SAMPLERS),
    setup=_tube,
)
ROWS["screening:tube?names"] = E(
    lambda t: reverse("screening:tube", args=[_tube_id(t)]),
    _named_to_registry,
    shown=_zhang_wei,
    setup=_tube,
)
ROWS["screening:tube?post"] = E(
    lambda t: reverse("screening:tube", args=[_tube_id(t)]),
    _answer(302, SAMPLERS),
    method="post",
    setup=_tube,
    body=lambda t: {"code": str(t.child_a.pk)},
    form=True,
)
ROWS["screening:tube_close"] = E(
    lambda t: reverse("screening:tube_close", args=[_tube_id(t)]),
    _answer(302, SAMPLERS),
    method="post",
    setup=_tube,
    body=lambda t: {},
    form=True,
)
ROWS["screening:swab_remove"] = E(
    lambda t: reverse("screening:swab_remove", args=[_sample_id(t)]),
    _answer(302, SAMPLERS),
    method="post",
    setup=_tube,
    body=lambda t: {"reason": "扫错人"},
    form=True,
)
ROWS["api:list_campaigns"] = E(
    lambda t: reverse("api:list_campaigns") + _grid(t),
    lambda p: "shown" if p in FOLLOWERS | {"volunteer"} else (404 if p == "grid_b" else 403),
    shown=_name,
    setup=_campaign,
)
ROWS["api:create_campaign"] = E(
    lambda t: reverse("api:create_campaign"),
    _planners_only(200),
    method="post",
    body=lambda t: {
        "region": t.grid_a.code,
        "start_on": dt.date.today().isoformat(),
        "pool_size": 10,
    },
)
ROWS["api:campaign_coverage"] = E(
    lambda t: reverse("api:campaign_coverage", args=[_campaign_id(t)]),
    _answer(200, FOLLOWERS),
    setup=_campaign,
)
ROWS["api:open_tube"] = E(
    lambda t: reverse("api:open_tube"),
    _answer(200, SAMPLERS),
    method="post",
    setup=_campaign,
    body=lambda t: {"campaign": _campaign_id(t), "barcode": "HX900003"},
)
ROWS["api:add_swabs"] = E(
    lambda t: reverse("api:add_swabs"),
    _answer(200, SAMPLERS),
    method="post",
    setup=_tube,
    body=lambda t: {
        "tube": _tube_id(t),
        "records": [
            {"client_id": "6d1f4f0e-8b1a-4a8e-9a51-0c6b1e1d2f30", "person_id": t.child_a.pk}
        ],
    },
)
