import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from fangkong.funds.models import Policy
from fangkong.funds.roster_sheet import RosterInvalid
from fangkong.funds.services import import_roster
from fangkong.health.imports import CheckInFileInvalid, import_check_ins
from fangkong.people.ledger import LedgerInvalid
from fangkong.people.services import import_ledger_with_rejects, rejects_name
from fangkong.regions.codes import canonical_code
from fangkong.regions.models import Region
from fangkong.regions.services import RegionInvalid, import_regions, read_regions_csv
from fangkong.screening.labfile import LabFileInvalid
from fangkong.screening.models import Campaign, Lab
from fangkong.screening.samplefile import SampleFileInvalid
from fangkong.screening.services import import_samples
from fangkong.screening.services.results import import_lab_results
from fangkong.supplies.models import StockPoint
from fangkong.supplies.services import import_requisitions, import_stock
from fangkong.supplies.stock_sheet import SheetInvalid

KINDS = (
    "regions",
    "residents",
    "checkins",
    "samples",
    "labresults",
    "stock",
    "requisitions",
    "allowances",
)


class Command(BaseCommand):
    help = (
        "Import a file. 'import regions FILE.csv': columns code,name,parent_code,level (level: "
        "province, city, district, street, community, grid); re-importing renames, never "
        "duplicates. 'import residents FILE --grid CODE': a residents' ledger (.xlsx or .csv in "
        "UTF-8 or GB18030) as communities keep it; --grid names the grid, or the community when "
        "the file has a 网格 column. Every row is created, updated, unchanged or rejected; "
        "rejected rows go to FILE-rejects.xlsx/.csv with a 错误原因 column. All or nothing. "
        "'import checkins FILE': check-ins from another system (证件号码 or person_id, 体温, "
        "测量时间, 症状); importing the same file again stores nothing new. "
        "'import samples FILE --campaign ID': a sampling app's export (试管编号/管码/条码, "
        "证件类型, 证件号码, 姓名, 采样时间, 采样点) into a testing campaign; every row "
        "stored or rejected (rejects to FILE-rejects.xlsx/.csv with 错误原因); the same "
        "file again changes nothing. "
        "'import labresults FILE [--lab CODE]': a lab's results (试管编号/样本编号/条码, 检测结果 "
        "阴性/阳性/无效, Ct ORF1ab and N, 检测机构, 报告时间; a title row above the header is "
        "fine); a positive tube puts its members under watch with a single-tube retest task "
        "each, an invalid tube gives re-sample tasks; unknown barcodes, unreadable results and "
        "contradictions (the positive stands) go to FILE-rejects.xlsx/.csv; the same file "
        "again changes nothing. "
        "'import stock FILE --point CODE': a warehouse's stock sheet as opening balances of the "
        "point (物资名称/品名, 规格型号, 单位, 数量/库存数量, 批次号, 有效期至; a 合计 row is "
        "compared, not imported); refused rows go to FILE-rejects.xlsx/.csv; importing the same "
        "sheet again adds nothing. "
        "'import requisitions FILE': headquarters' list of units' requests (申请单号, 申请单位, "
        "物资名称, 数量, 优先级 1/2/3 or 医疗一线/其他一线/社区, 需用日期, 事由) as approved "
        "requisitions for the next allocation round; an item not in the catalog or a quantity "
        "that is not a positive whole number is refused (FILE-rejects.xlsx/.csv); a 申请单号 "
        "already known adds nothing. "
        "'import allowances FILE --policy CODE [--unit UNIT] [--period P]': a unit's "
        "allowance roster (序号, 姓名, 身份证号码, 工作单位, 人员类别, 金额（元）, 银行卡号, "
        "开户银行; a 合计 row is compared, not taken) submitted for review; refused rows go to "
        "FILE-rejects.xlsx/.csv with 错误原因; the same roster again adds nothing; --json ends "
        "with {read, accepted, rejected, total, rejects_file} (accepted persons and total yuan "
        "this import added)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--grid", help="residents: code of the grid (or of the community, with a 网格 column)"
        )
        parser.add_argument("--campaign", type=int, help="samples: id of the testing campaign")
        parser.add_argument("--point", help="stock: code of the stock point")
        parser.add_argument("--policy", help="allowances: code of the allowance policy")
        parser.add_argument(
            "--unit", default="", help="allowances: the unit, for rows without 工作单位"
        )
        parser.add_argument(
            "--period", default="", help="allowances: the period of a periodic policy"
        )
        parser.add_argument(
            "--lab", help="labresults: code of the lab (default: each row's 检测机构)"
        )
        parser.add_argument(
            "--rejects",
            type=Path,
            help="residents, samples, labresults, stock, requisitions, allowances: where to "
            "write the refused rows (default: beside FILE)",
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="end with one JSON summary line"
        )

    def handle(self, *args, kind, file, as_json, grid=None, rejects=None, **options):
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        if kind == "allowances":
            self._allowances(file, options, rejects, as_json)
        elif kind == "stock":
            self._stock(file, options.get("point"), rejects, as_json)
        elif kind == "requisitions":
            self._requisitions(file, rejects, as_json)
        elif kind == "regions":
            self._regions(file, as_json)
        elif kind == "checkins":
            self._check_ins(file, as_json)
        elif kind == "samples":
            self._samples(file, options.get("campaign"), rejects, as_json)
        elif kind == "labresults":
            self._lab_results(file, options.get("lab"), rejects, as_json)
        else:
            self._residents(file, grid, rejects, as_json)

    def _samples(self, file: Path, campaign_id: int | None, rejects: Path | None, as_json: bool):
        if campaign_id is None:
            raise CommandError("--campaign ID is required: the testing campaign of the samples")
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            raise CommandError(f"no campaign {campaign_id}")
        path = rejects or file.with_name(rejects_name(file.name))
        try:
            result = import_samples(
                data=file.read_bytes(), filename=file.name, campaign=campaign, rejects=path
            )
        except SampleFileInvalid as e:
            raise CommandError(f"{file.name}: {e}") from None
        for r in result.rejected:
            self.stderr.write(f"row {r.number}: {r.reason}")
        self.stderr.write(
            f"stored {result.new_samples} new swabs in {result.new_tubes} new tubes; "
            f"{result.repeats} of a person already swabbed in this campaign (flagged)"
        )
        self._summary(result.as_dict(str(path) if result.rejected else None), as_json)

    def _lab_results(self, file: Path, code: str | None, rejects: Path | None, as_json: bool):
        lab = None
        if code:
            lab = Lab.objects.filter(code=code).first()
            if lab is None:
                raise CommandError(f"no lab with code {code}")
        path = rejects or file.with_name(rejects_name(file.name))
        try:
            result = import_lab_results(
                data=file.read_bytes(), filename=file.name, lab=lab, rejects=path
            )
        except LabFileInvalid as e:
            raise CommandError(f"{file.name}: {e}") from None
        for r in result.rejected:
            self.stderr.write(f"row {r.number}: {r.reason}")
        self.stderr.write(
            f"{result.watched} people put under watch, {result.households} households flagged"
        )
        self._summary(result.as_dict(str(path) if result.rejected else None), as_json)

    def _check_ins(self, file: Path, as_json: bool) -> None:
        try:
            result = import_check_ins(data=file.read_bytes(), filename=file.name)
        except CheckInFileInvalid as e:
            raise CommandError(f"{file.name}: {e}") from None
        for number, reason in sorted(result.rejected):
            self.stderr.write(f"row {number}: {reason}")
        self._summary(
            {
                "read": result.read,
                "created": result.created,
                "duplicates": result.duplicates,
                "rejected": len(result.rejected),
            },
            as_json,
        )

    def _regions(self, file: Path, as_json: bool) -> None:
        try:
            result = import_regions(rows=read_regions_csv(file))
        except RegionInvalid as e:
            raise CommandError(str(e)) from None
        for row_no, code, reason in result.rejected:
            self.stderr.write(f"row {row_no} ({code or '-'}): {reason}")
        self._summary(result.as_dict(), as_json)

    def _residents(self, file: Path, grid: str | None, rejects: Path | None, as_json: bool):
        if not grid:
            raise CommandError("--grid CODE is required: the grid (or community) of the ledger")
        region = Region.objects.filter(code=canonical_code(grid)).first()
        if region is None:
            raise CommandError(f"no region with code {grid}")
        bar = tqdm(
            desc="rows",
            unit=" rows",
            disable=not sys.stderr.isatty(),
            file=sys.stderr,
            leave=False,
        )

        def progress(checked: int, rejected: int, total: int) -> None:
            bar.total = total
            bar.update(checked - bar.n)
            bar.set_postfix(rejected=rejected, refresh=False)
            if bar.disable:  # a log, not a terminal: a line per chunk written
                self.stderr.write(f"checked {checked} of {total} rows, {rejected} rejected")

        path = rejects or file.with_name(rejects_name(file.name))
        try:  # the rejects file is written before the import commits, as for an upload
            result = import_ledger_with_rejects(
                data=file.read_bytes(),
                filename=file.name,
                region=region,
                rejects=path,
                on_progress=progress,
            )
        except LedgerInvalid as e:
            raise CommandError(f"{file.name}: {e}") from None
        finally:
            bar.close()
        for r in result.rejected:
            self.stderr.write(f"row {r.number}: {r.reason}")
        for label, n in sorted(result.new_categories.items()):
            self.stderr.write(f"category not known before, kept as a tag: {label} ({n})")
        self._summary(result.as_dict(str(path) if result.rejected else None), as_json)

    def _stock(self, file: Path, code: str | None, rejects: Path | None, as_json: bool):
        if not code:
            raise CommandError("--point CODE is required: the stock point the sheet counts")
        point = StockPoint.objects.filter(code=code.strip()).first()
        if point is None:
            raise CommandError(
                f"no stock point with code {code}; create it with "
                "fangkong supplies point CODE --name NAME --region REGION_CODE"
            )
        path = rejects or file.with_name(rejects_name(file.name))
        try:
            result = import_stock(
                data=file.read_bytes(), filename=file.name, point=point, rejects=path
            )
        except SheetInvalid as e:
            raise CommandError(f"{file.name}: {e}") from None
        for number, _index, reason in result.rejected:
            self.stderr.write(f"row {number}: {reason}")
        for note in result.notes:
            self.stderr.write(note)
        for name in result.new_items:
            self.stderr.write(f"added to the catalog: {name}")
        if result.already:
            self.stderr.write(f"{result.already} rows were imported before: nothing added")
        self._summary(result.as_dict(str(path) if result.rejected else None), as_json)

    def _requisitions(self, file: Path, rejects: Path | None, as_json: bool):
        path = rejects or file.with_name(rejects_name(file.name))
        try:
            result = import_requisitions(data=file.read_bytes(), filename=file.name, rejects=path)
        except SheetInvalid as e:
            raise CommandError(f"{file.name}: {e}") from None
        for number, _index, reason in result.rejected:
            self.stderr.write(f"row {number}: {reason}")
        if result.already:
            self.stderr.write(f"{result.already} requisitions were known before: nothing added")
        self._summary(result.as_dict(str(path) if result.rejected else None), as_json)

    def _allowances(self, file: Path, options: dict, rejects: Path | None, as_json: bool):
        code = options.get("policy")
        if not code:
            raise CommandError("--policy CODE is required: the allowance policy of the roster")
        policy = Policy.objects.filter(code=code.strip()).first()
        if policy is None:
            raise CommandError(f"no policy {code}; create it with 'fangkong funds policy'")
        path = rejects or file.with_name(rejects_name(file.name))
        try:
            result = import_roster(
                data=file.read_bytes(),
                filename=file.name,
                policy=policy,
                unit=options.get("unit") or "",
                period=options.get("period") or "",
                rejects=path,
            )
        except RosterInvalid as e:
            raise CommandError(f"{file.name}: {e}") from None
        for number, _index, reason in result.rejected:
            self.stderr.write(f"row {number}: {reason}")
        for note in result.notes:
            self.stderr.write(note)
        if result.already:
            self.stderr.write(f"{result.already} rows were imported before: nothing added")
        self._summary(result.as_dict(str(path) if result.rejected else None), as_json)

    def _summary(self, summary: dict, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in summary.items()))
