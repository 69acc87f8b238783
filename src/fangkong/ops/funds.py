"""The demo city's funds and allowances: two funds (one paid partly ahead), the one-off
allowance for front-line medics, two hospitals' rosters uploaded by the hospital account — one
clean, approved, paid through a payment file the bank confirmed (one card failed), one with
mistakes awaiting review with its rejects file; and a village's returned migrant workers with
their intentions, enterprises back at work and their openings."""

from __future__ import annotations

import datetime as dt
import io
import random
import uuid

from django.db import transaction
from stdnum import luhn

from fangkong.accounts.models import User
from fangkong.common.idnumbers import make
from fangkong.common.spreadsheets import XLSX, write_table
from fangkong.funds.choices import Intention, Source
from fangkong.funds.files import imports_dir
from fangkong.funds.models import Policy, Returnee
from fangkong.funds.services import (
    check_add_enterprise,
    check_add_fund,
    check_add_opening,
    check_approve,
    check_confirm,
    check_pay_batch,
    check_place,
    check_record_payment,
    check_report_resumption,
    check_save_policy,
    check_set_intention,
    import_roster,
    register_returnees,
)
from fangkong.regions.models import Region

from .names import GIVEN_FEMALE, GIVEN_MALE, SURNAMES

POLICY = "YCX2020"
HEADER = [
    "序号",
    "姓名",
    "身份证号码",
    "工作单位",
    "人员类别",
    "金额（元）",
    "银行卡号",
    "开户银行",
]
BANKS = ["中国工商银行长沙分行", "中国建设银行长沙分行", "长沙银行芙蓉支行"]


def _card(rng: random.Random) -> str:
    body = "622202" + "".join(rng.choice("0123456789") for _ in range(12))
    return body + luhn.calc_check_digit(body)


def _person(rng: random.Random, n: int) -> tuple[str, str]:
    given = rng.choice(GIVEN_MALE if n % 2 else GIVEN_FEMALE)
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(12000))
    return rng.choice(SURNAMES)[0] + given, make("430102", birth, (n * 2 + 1) % 1000)


def _roster(rng, unit: str, count: int, start: int, mistakes: bool) -> bytes:
    rows: list[list[object]] = [[f"{unit}一线医务人员一次性慰问金发放花名册"], HEADER]
    total = 0
    for i in range(count):
        name, number = _person(rng, start + i)
        aid = i % 3 == 0
        amount = 5000 if aid else 2000
        total += amount
        rows.append(
            [
                i + 1,
                name,
                number,
                unit,
                "援鄂医疗队员" if aid else "本地医务人员",
                f"{amount:,}.00",
                _card(rng),
                rng.choice(BANKS),
            ]
        )
    if mistakes:  # as they come: a wrong check digit, a mistyped card, a wrong amount, a twin
        rows[3][2] = str(rows[3][2])[:-1] + ("1" if str(rows[3][2])[-1] != "1" else "2")
        rows[4][6] = str(rows[4][6])[:-1] + str((int(str(rows[4][6])[-1]) + 1) % 10)
        rows[5][5] = "3,000.00"
        rows[6][2] = rows[2][2]
    rows.append(["合计", "", "", "", "", f"{total:,}.00", "", ""])
    out = io.BytesIO()
    write_table(out, rows, format=XLSX, sheet="花名册")
    return out.getvalue()


def _confirmation(batch) -> bytes:
    rows: list[list[object]] = [["付款编号", "姓名", "金额", "处理结果", "失败原因"]]
    for i, p in enumerate(batch.payees.order_by("pk")):
        failed = i == 2
        rows.append(
            [
                f"P{p.pk}",
                p.name,
                str(p.amount_fen // 100),
                "失败" if failed else "成功",
                "户名与账号不符" if failed else "",
            ]
        )
    out = io.BytesIO()
    write_table(out, rows, format=XLSX)
    return out.getvalue()


@transaction.atomic
def demo_funds(seed: int = 1) -> None:
    """Once: funds, the policy, two rosters, a payment file and the bank's answer."""
    if Policy.objects.filter(code=POLICY).exists():
        return
    rng = random.Random(seed)
    finance = User.objects.get(username="finance")
    hospital = User.objects.get(username="hospital")
    city = Region.objects.filter(parent__isnull=True).order_by("path").first() or (
        finance.scope_region
    )
    district = finance.scope_region
    fund = check_add_fund(
        code="FK2020-01",
        name="疫情防控专项资金",
        source=Source.CITY,
        purpose="疫情防控：医疗救治、物资、一线人员补助",
        document="市财社〔2020〕8号",
        amount_fen=10_600_000_000,
        region=city,
    )
    check_add_fund(
        code="JZ2020-01",
        name="社会捐赠资金",
        source=Source.DONATION,
        purpose="定向捐赠：防护物资",
        document="市红十字会接收〔2020〕3号",
        amount_fen=120_000_000,
        region=district,
    )
    for amount, payee, ahead in (
        (3_523_000_000, "市疾控中心等12家单位", True),
        (800_000_000, "市第一人民医院", False),
    ):
        check_record_payment(
            fund=fund,
            client_id=uuid.uuid5(uuid.NAMESPACE_URL, f"fangkong-demo-{payee}"),
            amount_fen=amount,
            payee=payee,
            purpose="防控项目资金",
            document="市财社〔2020〕11号",
            ahead=ahead,
            user=finance,
        )
    policy, _ = check_save_policy(
        code=POLICY,
        name="一线医务人员一次性慰问金",
        basis="市人社发〔2020〕12号",
        rates={"援鄂医疗队员": 500_000, "本地医务人员": 200_000},
        region=city,
        eligible="援鄂医疗队员及本市定点医院直接参与救治的一线医务人员，每人一次",
        fund=fund,
    )
    clean = import_roster(
        data=_roster(rng, "市第一人民医院", 30, 0, mistakes=False),
        filename="市第一人民医院花名册.xlsx",
        policy=policy,
        region_path=district.path,
        user=hospital,
    )
    import_roster(
        data=_roster(rng, "市中心医院", 16, 100, mistakes=True),
        filename="市中心医院花名册.xlsx",
        policy=policy,
        region_path=district.path,
        user=hospital,
        rejects=imports_dir() / f"roster-demo-{uuid.uuid4().hex}-rejects.xlsx",
    )
    if clean.roster is None:  # pragma: no cover - a fresh policy takes every clean row
        return
    check_approve(policy=policy, rosters=[clean.roster.pk], user=finance)
    batch = check_pay_batch(policy=policy, user=finance, scope_path=district.path)
    check_confirm(batch=batch, data=_confirmation(batch), filename="银行回单.xlsx", user=finance)
    demo_labour(rng, User.objects.get(username="community"))


def demo_labour(rng: random.Random, staff: User) -> None:
    """The community account's village: its returnees from the registry, what they mean to do
    (about half still to place, as the source's 398 of 807), two enterprises' reports of the
    day, openings and a few placements."""
    village = staff.scope_region
    register_returnees(region=village)
    factory = check_add_enterprise(name="红星食品厂", region=village)
    farm = check_add_enterprise(name="红星蔬菜合作社", region=village)
    check_report_resumption(
        enterprise=factory, resumed=True, staff_total=60, staff_back=41, user=staff
    )
    check_report_resumption(
        enterprise=farm, resumed=False, staff_total=12, staff_back=3, user=staff
    )
    openings = [
        check_add_opening(enterprise=factory, title="包装工", positions=8),
        check_add_opening(enterprise=farm, title="大棚种植", positions=5),
    ]
    returnees = list(Returnee.objects.filter(region_path__startswith=village.path).order_by("pk"))
    for i, returnee in enumerate(returnees):
        roll = rng.random()
        if roll < 0.35:
            check_set_intention(returnee=returnee, intention=Intention.GO_OUT, done=True)
        elif roll < 0.4:
            check_set_intention(returnee=returnee, intention=Intention.STAY)
        elif roll < 0.5 and openings[i % 2].open_positions > 0:
            check_place(returnee=returnee, opening=openings[i % 2])
            openings[i % 2].refresh_from_db()
        elif roll < 0.7:
            check_set_intention(returnee=returnee, intention=Intention.LOCAL)
