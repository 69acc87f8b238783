"""The demo city's lab: 芙蓉区's lab with the ``lab`` account, the closed tubes of the running
campaigns sent to it, and results for all but the last few (one positive pool in grid A's grid,
so its members are under watch with retests on ``grid_a``'s list; one invalid tube), through
the same import a lab's file takes."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.common import spreadsheets

from .choices import TubeStatus
from .labmodels import Lab, LabImport, LabOperator
from .models import Tube
from .services.labs import check_send_tubes, do_register_lab
from .services.results import import_lab_results

AWAITING = 3  # tubes left without a result: the lab's first page has work on it


def ensure_demo_lab(user: User) -> Lab:
    """The lab of the demo's lab account (registered once)."""
    operator = LabOperator.objects.select_related("lab").filter(user=user).first()
    if operator is not None:
        return operator.lab
    region = user.scope_region
    return do_register_lab(
        code=f"LAB-{region.code}",
        name=f"{region.name}疾控中心实验室",
        region=region,
        operators=[user],
    )


def demo_lab_results(lab: Lab, user: User, grid_path: str) -> None:
    """Send the closed tubes to the lab and report them, once (a lab with imports is left)."""
    if LabImport.objects.filter(lab=lab).exists():
        return
    closed = list(
        Tube.objects.filter(status=TubeStatus.CLOSED, region_path__startswith=lab.region_path)
        .order_by("closed_at", "id")
        .values_list("barcode", "region_path")
    )
    if len(closed) <= AWAITING:
        return
    check_send_tubes(user=None, scope=None, lab=lab, barcodes=[c for c, _p in closed])
    reported = closed[:-AWAITING]
    positive = next((c for c, p in reported if p.startswith(grid_path)), reported[0][0])
    invalid = next((c for c, _p in reported if c != positive), None)
    rows: list[list[object]] = [
        [f"{lab.name} 新冠病毒核酸检测结果"],
        ["序号", "样本编号", "检测结果", "ORF1ab", "N", "检测机构", "报告时间"],
    ]
    at = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    for n, (code, _path) in enumerate(reported, 1):
        if code == positive:
            rows.append([n, code, "阳性", "29.4", "31.2", lab.name, at])
        elif code == invalid:
            rows.append([n, code, "无效", "", "", lab.name, at])
        else:
            rows.append([n, code, "阴性", "", "", lab.name, at])
    with tempfile.TemporaryDirectory() as tmp:
        import_lab_results(
            data="".join(spreadsheets.csv_lines(rows, bom=True)).encode("utf-8"),
            filename="核酸检测结果.csv",
            lab=lab,
            user=user,
            rejects=Path(tmp) / "rejects.csv",
        )
