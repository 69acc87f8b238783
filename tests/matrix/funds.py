"""Rows for funds and allowances: a fund of 芙蓉区 (KY01), a city policy (YCX), a roster the
``hospital`` account sent (one row refused), approved and put in a payment file by the finance
officer of 芙蓉区. Headquarters and district staff read funds and rosters (masked); the hospital
uploads and reads its own rosters; the finance officer alone records funds, reviews and pays
(docs/funds.md)."""

from __future__ import annotations

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ..funds.helpers import roster_xlsx, row
from .common import E, Endpoint

READERS = {"hq", "district", "finance"}
SUBMITTERS = {"hospital", "finance"}
FINANCE = {"finance"}


def _in(group: set[str], ok: int = 200):
    return lambda persona: ok if persona in group else 403


def _setup(tree):
    from django.conf import settings

    from fangkong.accounts.models import User
    from fangkong.funds.services import (
        check_add_fund,
        check_approve,
        check_pay_batch,
        check_save_policy,
        import_roster,
    )

    check_add_fund(
        code="KY01",
        name="芙蓉区防控资金",
        source="district",
        purpose="防控",
        document="芙财〔2020〕1号",
        amount_fen=10_000_000,
        region=tree.district,
    )
    policy, _ = check_save_policy(
        code="YCX", name="一次性慰问金", rates={"本地医务人员": 200000}, region=tree.city
    )
    hospital = User.objects.get(username="hospital")
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    paid = import_roster(
        data=roster_xlsx([row(1)]),
        filename="paid.xlsx",
        policy=policy,
        region_path=tree.district.path,
        user=hospital,
    )
    check_approve(policy=policy, rosters=[paid.roster.pk])
    check_pay_batch(policy=policy, scope_path=tree.district.path)
    import_roster(
        data=roster_xlsx([row(2), row(3, category="行政人员")]),
        filename="r.xlsx",
        policy=policy,
        region_path=tree.district.path,
        user=hospital,
        rejects=settings.VAR_DIR / "r-rejects.xlsx",
    )


def _roster(tree):
    from fangkong.funds.models import Roster

    return Roster.objects.get(filename="r.xlsx").pk


def _batch(tree):
    from fangkong.funds.models import PayBatch

    return PayBatch.objects.get().pk


def _payee(tree):
    from fangkong.funds.models import Payee

    return Payee.objects.get(row_number=4, roster__filename="paid.xlsx").pk


def _file(name="roster.xlsx", rows=None):
    return SimpleUploadedFile(name, roster_xlsx(rows or [row(40)]))


def _confirmation():
    import io

    from fangkong.common.spreadsheets import CSV, write_table

    out = io.BytesIO()
    write_table(out, [["付款编号", "处理结果", "失败原因"], ["P1", "成功", ""]], format=CSV)
    return SimpleUploadedFile("back.csv", out.getvalue())


ROWS: dict[str, Endpoint] = {
    "funds:home": E(lambda t: reverse("funds:home"), _in(READERS | SUBMITTERS), setup=_setup),
    "funds:add_fund": E(
        lambda t: reverse("funds:add_fund"),
        _in(FINANCE, 302),
        "post",
        setup=_setup,
        form=True,
        body=lambda t: {
            "code": "KY02",
            "name": "捐赠资金",
            "source": "donation",
            "document": "捐〔2020〕2号",
            "amount": "50,000.00",
        },
    ),
    "funds:fund": E(lambda t: reverse("funds:fund", args=["KY01"]), _in(READERS), setup=_setup),
    "funds:add_payment": E(
        lambda t: reverse("funds:add_payment", args=["KY01"]),
        _in(FINANCE, 302),
        "post",
        setup=_setup,
        form=True,
        body=lambda t: {
            "client_id": str(uuid.uuid4()),
            "amount": "1000",
            "payee": "市第一人民医院",
            "document": "芙财〔2020〕3号",
            "ahead": "on",
        },
    ),
    "funds:save_policy": E(
        lambda t: reverse("funds:save_policy"),
        _in(FINANCE, 302),
        "post",
        setup=_setup,
        form=True,
        body=lambda t: {"code": "P2", "name": "慰问金", "rates": "志愿者=500"},
    ),
    "funds:policy": E(
        lambda t: reverse("funds:policy", args=["YCX"]), _in(READERS | SUBMITTERS), setup=_setup
    ),
    "funds:upload": E(
        lambda t: reverse("funds:upload", args=["YCX"]),
        _in(SUBMITTERS, 302),
        "post",
        setup=_setup,
        form=True,
        body=lambda t: {"file": _file()},
    ),
    "funds:payfile": E(
        lambda t: reverse("funds:payfile", args=["YCX"]), _in(FINANCE, 302), "post", setup=_setup
    ),
    "funds:roster": E(
        lambda t: reverse("funds:roster", args=[_roster(t)]),
        _in(READERS | SUBMITTERS),
        setup=_setup,
    ),
    "funds:roster_rejects": E(
        lambda t: reverse("funds:roster_rejects", args=[_roster(t)]),
        _in(SUBMITTERS),
        setup=_setup,
    ),
    "funds:approve": E(
        lambda t: reverse("funds:approve", args=[_roster(t)]),
        _in(FINANCE, 302),
        "post",
        setup=_setup,
    ),
    "funds:return": E(
        lambda t: reverse("funds:return", args=[_roster(t)]),
        _in(FINANCE, 302),
        "post",
        setup=_setup,
        form=True,
        body=lambda t: {"reason": "缺少盖章"},
    ),
    "funds:batch_file": E(
        lambda t: reverse("funds:batch_file", args=[_batch(t)]), _in(FINANCE), setup=_setup
    ),
    "funds:confirm": E(
        lambda t: reverse("funds:confirm", args=[_batch(t)]),
        _in(FINANCE, 302),
        "post",
        setup=_setup,
        form=True,
        body=lambda t: {"file": _confirmation()},
    ),
    "funds:pay_again": E(
        lambda t: reverse("funds:pay_again", args=[_payee(t)]),
        _in(FINANCE, 302),
        "post",
        setup=_setup,
    ),
    "api:funds_roster_upload": E(
        lambda t: reverse("api:funds_roster_upload", args=["YCX"]),
        _in(SUBMITTERS),
        "post",
        setup=_setup,
        form=True,
        body=lambda t: {"file": _file()},
    ),
    "api:funds_policy_totals": E(
        lambda t: reverse("api:funds_policy_totals", args=["YCX"]),
        _in(READERS | SUBMITTERS),
        setup=_setup,
    ),
}


# --- work resumption and labour placement: 张伟 of grid A registered as a returned worker, a
# food factory of 红星社区 with an opening. Communities and streets record, districts and the
# city read, nobody else reaches it.
LABOUR_VIEWERS = {"hq", "district", "street", "community"}
LABOUR_RECORDERS = {"street", "community"}


def _labour(tree):
    from fangkong.funds.services import check_add_enterprise, check_add_opening, register_returnees
    from fangkong.people.models import PersonTag

    PersonTag.objects.create(person=tree.person_a, kind="returnee", region_path=tree.grid_a.path)
    register_returnees(region=tree.community_a)
    shop = check_add_enterprise(name="红星食品厂", region=tree.community_a)
    check_add_opening(enterprise=shop, title="包装工", positions=3)


def _returnee(tree):
    from fangkong.funds.models import Returnee

    return Returnee.objects.get().pk


def _enterprise(tree):
    from fangkong.funds.models import Enterprise

    return Enterprise.objects.get().pk


def _opening(tree):
    from fangkong.funds.models import JobOpening

    return JobOpening.objects.get().pk


def _labour_list(persona: str):
    return "shown" if persona in LABOUR_VIEWERS else 403


ROWS.update(
    {
        "funds:labour": E(
            lambda t: reverse("funds:labour") + f"?region={t.community_a.code}",
            _labour_list,
            setup=_labour,
            shown=lambda t: "张伟",
        ),
        "funds:labour_register": E(
            lambda t: reverse("funds:labour_register"),
            _in(LABOUR_RECORDERS, 302),
            "post",
            setup=_labour,
            form=True,
            body=lambda t: {"region": t.community_a.code},
        ),
        "funds:enterprise_add": E(
            lambda t: reverse("funds:enterprise_add"),
            _in(LABOUR_RECORDERS, 302),
            "post",
            setup=_labour,
            form=True,
            body=lambda t: {"region": t.community_a.code, "name": "红星农机站"},
        ),
        "funds:resumption": E(
            lambda t: reverse("funds:resumption", args=[_enterprise(t)]),
            _in(LABOUR_RECORDERS, 302),
            "post",
            setup=_labour,
            form=True,
            body=lambda t: {"resumed": "on", "staff_total": "40", "staff_back": "31"},
        ),
        "funds:opening_add": E(
            lambda t: reverse("funds:opening_add", args=[_enterprise(t)]),
            _in(LABOUR_RECORDERS, 302),
            "post",
            setup=_labour,
            form=True,
            body=lambda t: {"title": "叉车司机", "positions": "2"},
        ),
        "funds:intention": E(
            lambda t: reverse("funds:intention", args=[_returnee(t)]),
            _in(LABOUR_RECORDERS, 302),
            "post",
            setup=_labour,
            form=True,
            body=lambda t: {"intention": "local"},
        ),
        "funds:place": E(
            lambda t: reverse("funds:place", args=[_returnee(t)]),
            _in(LABOUR_RECORDERS, 302),
            "post",
            setup=_labour,
            form=True,
            body=lambda t: {"opening": str(_opening(t))},
        ),
    }
)
