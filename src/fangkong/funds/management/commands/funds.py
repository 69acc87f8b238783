import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangkong.common.money import InvalidAmount, parse_fen, yuan_json
from fangkong.common.spreadsheets import rejects_name
from fangkong.funds.choices import PolicyKind, Source
from fangkong.funds.models import Fund, PayBatch, Policy
from fangkong.funds.services import (
    FundsInvalid,
    check_add_fund,
    check_approve,
    check_confirm,
    check_pay_batch,
    check_save_policy,
    parse_rates,
    write_payfile,
)
from fangkong.regions.codes import canonical_code
from fangkong.regions.models import Region

ACTIONS = ("policy", "approve", "payfile", "confirm", "fund")


def _region(code: str | None) -> Region:
    """The region named, or the top of the tree (the city or province the installation
    serves)."""
    if code:
        region = Region.objects.filter(code=canonical_code(code)).first()
        if region is None:
            raise CommandError(f"no region with code {code}")
        return region
    region = Region.objects.filter(parent__isnull=True).order_by("path").first()
    if region is None:
        raise CommandError("the region tree is empty: import regions first")
    return region


class Command(BaseCommand):
    help = (
        "Funds and allowances (docs/funds.md). "
        "'funds policy CODE --name NAME --rate 类别=金额 [--rate ...] [--basis 文号] "
        "[--kind one_off|periodic] [--region CODE]' creates or updates an allowance policy "
        "(amounts in yuan, such as 5000 or 5,000.00). "
        "'funds approve --policy CODE [--unit UNIT]' approves every submitted roster of the "
        "policy (or of one unit); --json ends with {approved, total} (persons, yuan). "
        "'funds payfile --policy CODE -o FILE.xlsx' writes the bank's payment file of every "
        "approved person not yet in one (card numbers as text, a 合计 row); audited. "
        "'funds confirm FILE --batch ID' reads the bank's confirmation (付款编号, 处理结果 "
        "成功/失败, 失败原因) and marks each row paid or failed. "
        "'funds fund CODE --name NAME --source SOURCE --amount YUAN --document 文号' records a "
        f"fund (sources: {', '.join(Source.values)})."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=ACTIONS)
        parser.add_argument("code", nargs="?", help="policy, fund: its code; confirm: the file")
        parser.add_argument("--name", help="policy, fund: its name")
        parser.add_argument(
            "--rate", action="append", default=[], help="policy: 类别=金额 (yuan), repeatable"
        )
        parser.add_argument("--basis", default="", help="policy: the document number it rests on")
        parser.add_argument("--kind", choices=PolicyKind.values, default=PolicyKind.ONE_OFF)
        parser.add_argument("--eligible", default="", help="policy: who may be on it")
        parser.add_argument("--region", help="policy, fund: region code (default: the top)")
        parser.add_argument("--fund", help="policy: the code of the fund it is paid from")
        parser.add_argument("--policy", help="approve, payfile: the policy's code")
        parser.add_argument("--unit", help="approve: only this unit's rosters")
        parser.add_argument("-o", "--output", type=Path, help="payfile: the .xlsx to write")
        parser.add_argument("--batch", type=int, help="confirm: the payment file's batch id")
        parser.add_argument("--source", choices=Source.values, help="fund: where it comes from")
        parser.add_argument("--amount", help="fund: the amount in yuan")
        parser.add_argument("--purpose", default="", help="fund: what it is for")
        parser.add_argument("--document", default="", help="fund: the allocating document")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="end with one JSON line"
        )

    def handle(self, *args, action, code, as_json, **options):
        try:
            out = getattr(self, f"_{action}")(code, options)
        except FundsInvalid as e:
            raise CommandError(str(e)) from None
        if as_json:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in out.items()))

    def _policy_of(self, options) -> Policy:
        code = options.get("policy")
        if not code:
            raise CommandError("--policy CODE is required")
        policy = Policy.objects.filter(code=code.strip()).first()
        if policy is None:
            raise CommandError(f"no policy {code}; create it with 'fangkong funds policy'")
        return policy

    def _policy(self, code, options) -> dict:
        if not code:
            raise CommandError("give the policy's CODE")
        existing = Policy.objects.filter(code=code.strip()).first()
        name = options.get("name") or (existing.name if existing else "")
        if not name:
            raise CommandError("a new policy needs --name")
        if not options["rate"]:
            raise CommandError("give at least one --rate 类别=金额")
        fund = None
        if options.get("fund"):
            fund = Fund.objects.filter(code=options["fund"]).first()
            if fund is None:
                raise CommandError(f"no fund {options['fund']}")
        policy, created = check_save_policy(
            code=code,
            name=name,
            rates=parse_rates(options["rate"]),
            region=existing.region if existing else _region(options.get("region")),
            basis=options["basis"] or (existing.basis if existing else ""),
            kind=options["kind"],
            eligible=options["eligible"],
            fund=fund,
        )
        rates = {r.category: yuan_json(r.amount_fen) for r in policy.rates.all()}
        return {"id": policy.pk, "code": policy.code, "created": created, "rates": rates}

    def _approve(self, code, options) -> dict:
        result = check_approve(policy=self._policy_of(options), unit=options.get("unit"))
        self.stderr.write(f"{result.rosters} rosters approved")
        return result.as_dict()

    def _payfile(self, code, options) -> dict:
        policy = self._policy_of(options)
        target = options.get("output")
        if target is None or target.suffix.lower() != ".xlsx":
            raise CommandError("-o FILE.xlsx is required: the payment file to write")
        batch = check_pay_batch(policy=policy)
        write_payfile(batch=batch, target=target)
        return {
            "batch": batch.pk,
            "rows": batch.rows,
            "total": yuan_json(batch.total_fen),
            "file": str(target),
        }

    def _confirm(self, code, options) -> dict:
        if not code or not Path(code).is_file():
            raise CommandError("give the bank's confirmation FILE")
        batch = PayBatch.objects.filter(pk=options.get("batch") or 0).first()
        if batch is None:
            raise CommandError("--batch ID is required: the payment file's batch")
        path = Path(code)
        rejects = path.with_name(rejects_name(path.name))
        result = check_confirm(
            batch=batch, data=path.read_bytes(), filename=path.name, rejects=rejects
        )
        for number, _i, reason in result.rejected:
            self.stderr.write(f"row {number}: {reason}")
        return result.as_dict(str(rejects) if result.rejected else None)

    def _fund(self, code, options) -> dict:
        try:
            fen = parse_fen(options.get("amount"))
        except InvalidAmount as e:
            raise CommandError(f"--amount: {e}") from None
        fund = check_add_fund(
            code=code or "",
            name=options.get("name") or "",
            source=options.get("source") or "",
            purpose=options["purpose"],
            document=options["document"],
            amount_fen=fen,
            region=_region(options.get("region")),
        )
        return {"id": fund.pk, "code": fund.code, "amount": yuan_json(fund.amount_fen)}
