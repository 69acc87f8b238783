"""Rows for help requests (docs/assistance.md, "Who may do what").

The subject: 张伟's household (grid A, 1栋) asked for medicine (request A), now accepted by the
volunteer persona (赵志愿), who advanced ¥35.50 for it with a receipt photo; it also asked for
food twice (requests B and C, waiting: duplicates), and is on the gas round "液化气罐" of grid A.
Everyone from the grid worker up reads the requests of their area (grid B's worker: none of
these); grid workers, community and district staff raise them; community and street staff
dispatch; the volunteer reads only their own task and its receipt, nothing else.
"""

from __future__ import annotations

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .common import E, Endpoint, registry_detail, registry_list

READERS = {"hq", "district", "street", "community", "grid_a", "grid_b"}
RAISERS = {"district", "community", "grid_a", "grid_b"}
DISPATCHERS = {"community", "street"}
MARKERS = {"district", "street", "community", "grid_a", "grid_b"}
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64


def _only(who: set[str], ok: int = 200, *, outside: int = 403):
    return lambda persona: ok if persona in who else outside if persona == "grid_b" else 403


def _setup(tree):
    from django.utils import timezone

    from fangkong.accounts.models import User
    from fangkong.accounts.scope import scope_of
    from fangkong.assistance.models import Advance, BuildingPoint, HelpRequest
    from fangkong.assistance.services import (
        Ask,
        check_answer,
        check_open_round,
        check_raise_request,
        do_offer,
    )
    from fangkong.volunteers.models import Volunteer

    if HelpRequest.objects.exists():
        return
    BuildingPoint.objects.create(building=tree.building_a, lat=28.2, lon=112.98)
    user = User.objects.get(username="volunteer")
    helper = Volunteer.objects.filter(user=user).first()  # the volunteers rows may make it
    if helper is None:
        helper = Volunteer.objects.create(
            user=user,
            name="赵志愿",
            phone="13800138000",
            status="active",
            home_area=user.scope_region,
            region_path=user.scope_region.path,
        )
    Volunteer.objects.filter(pk=helper.pk).update(home_lat=28.209, home_lon=112.98)

    def raise_(kind, needed):
        return check_raise_request(
            household=tree.household_a,
            ask=Ask(kind=kind, urgency="today", needed=needed),
            client_id=uuid.uuid4(),
        )

    a = raise_("medicine", "硝苯地平缓释片")
    raise_("food", "大米")
    raise_("food", "食用油")
    task = do_offer(request=a, volunteer=helper, user=None, km=1.0, explain={})
    check_answer(user=user, task=task, accept=True)
    Advance.objects.create(
        task=task,
        request=a,
        region_path=a.region_path,
        amount="35.50",
        receipt="matrix.jpg",
        receipt_type="image/jpeg",
        client_id=uuid.uuid4(),
        recorded_by=user,
        recorded_at=timezone.now(),
    )
    from fangkong.assistance.services import receipts_dir

    receipts_dir().mkdir(parents=True, exist_ok=True)
    (receipts_dir() / "matrix.jpg").write_bytes(JPEG)
    community = User.objects.get(username="community")
    check_open_round(
        scope=scope_of(community), user=community, region=tree.grid_a, kind="gas", title="液化气罐"
    )
    raise_("gas", "液化气一罐")  # joins the round


def _req(needed):
    from fangkong.assistance.models import HelpRequest

    return HelpRequest.objects.filter(needed=needed).order_by("id").first().pk


def _task():
    from fangkong.assistance.models import Task

    return Task.objects.get().pk


def _advance():
    from fangkong.assistance.models import Advance

    return Advance.objects.get().pk


def _round():
    from fangkong.assistance.models import Round

    return Round.objects.get().pk


def _stop():
    from fangkong.assistance.models import Stop

    return Stop.objects.get().pk


def _food_b():
    from fangkong.assistance.models import HelpRequest

    return HelpRequest.objects.get(needed="大米").pk


def _food_c():
    from fangkong.assistance.models import HelpRequest

    return HelpRequest.objects.get(needed="食用油").pk


def _volunteer_id():
    from fangkong.volunteers.models import Volunteer

    return Volunteer.objects.get(user__username="volunteer").pk


def _post(url, expect, body=None):
    return E(
        url,
        expect,
        method="post",
        form=True,
        body=body or (lambda t: {"reason": "居民已自行解决"}),
        setup=_setup,
    )


def _receipt(t):
    return {
        "amount": "12.50",
        "client_id": str(uuid.uuid4()),
        "receipt": SimpleUploadedFile("r.jpg", JPEG, content_type="image/jpeg"),
    }


def _new(t):
    return {
        "household": t.household_a.pk,
        "kind": "medicine",
        "urgency": "urgent",
        "needed": "沙丁胺醇气雾剂",
        "client_id": str(uuid.uuid4()),
    }


ROWS: dict[str, Endpoint] = {
    "assistance:home": E(
        lambda t: reverse("assistance:home"), registry_list, shown=lambda t: "1栋", setup=_setup
    ),
    "assistance:new": E(lambda t: reverse("assistance:new"), _only(RAISERS, outside=200)),
    "assistance:new?post": E(
        lambda t: reverse("assistance:new"),
        _only(RAISERS - {"grid_b"}, 302, outside=404),
        method="post",
        form=True,
        body=_new,
    ),
    "assistance:batch": _post(
        lambda t: reverse("assistance:batch"), _only(DISPATCHERS), lambda t: {"max_km": "5"}
    ),
    "assistance:request": E(
        lambda t: reverse("assistance:request", args=[_req("硝苯地平缓释片")]),
        registry_detail,
        setup=_setup,
    ),
    "assistance:dispatch": _post(
        lambda t: reverse("assistance:dispatch", args=[_food_b()]),
        _only(DISPATCHERS, 302),
        lambda t: {"volunteer": _volunteer_id()},
    ),
    "assistance:merge": _post(
        lambda t: reverse("assistance:merge", args=[_food_b()]),
        _only(DISPATCHERS, 302),
        lambda t: {"duplicate": _food_c()},
    ),
    "assistance:cancel": _post(
        lambda t: reverse("assistance:cancel", args=[_food_b()]), _only(DISPATCHERS, 302)
    ),
    "assistance:withdraw": _post(
        lambda t: reverse("assistance:withdraw", args=[_task()]), _only(DISPATCHERS, 302)
    ),
    "assistance:receipt": E(
        lambda t: reverse("assistance:receipt", args=[_advance()]),
        _only(DISPATCHERS | {"volunteer"}),
        setup=_setup,
    ),
    "assistance:repaid": _post(
        lambda t: reverse("assistance:repaid", args=[_advance()]),
        _only(DISPATCHERS | {"volunteer"}, 302),
        lambda t: {"how": "上门现金"},
    ),
    "assistance:tasks": E(
        lambda t: reverse("assistance:tasks"),
        lambda p: "shown" if p == "volunteer" else 403,
        shown=lambda t: "1栋",
        setup=_setup,
    ),
    "assistance:task": E(
        lambda t: reverse("assistance:task", args=[_task()]),
        _only({"volunteer"}),
        setup=_setup,
    ),
    "assistance:answer": _post(
        lambda t: reverse("assistance:answer", args=[_task()]),
        _only({"volunteer"}, 302),
        lambda t: {"answer": "accept"},
    ),
    "assistance:step": _post(
        lambda t: reverse("assistance:step", args=[_task()]),
        _only({"volunteer"}, 302),
        lambda t: {"step": "picked_up"},
    ),
    "assistance:advance": _post(
        lambda t: reverse("assistance:advance", args=[_task()]),
        _only({"volunteer"}, 302),
        _receipt,
    ),
    "assistance:rounds": E(
        lambda t: reverse("assistance:rounds"),
        registry_list,
        shown=lambda t: "液化气罐",
        setup=_setup,
    ),
    "assistance:rounds?post": _post(
        lambda t: reverse("assistance:rounds"),
        _only(DISPATCHERS, 302),
        lambda t: {"region": t.grid_a.code, "kind": "food", "title": "蔬菜包"},
    ),
    "assistance:round": E(
        lambda t: reverse("assistance:round", args=[_round()]), registry_detail, setup=_setup
    ),
    "assistance:round_close": _post(
        lambda t: reverse("assistance:round_close", args=[_round()]), _only(DISPATCHERS, 302)
    ),
    "assistance:stop": _post(
        lambda t: reverse("assistance:stop", args=[_stop()]),
        _only(MARKERS - {"grid_b"}, 302, outside=404),
        lambda t: {"delivered": "1"},
    ),
}
