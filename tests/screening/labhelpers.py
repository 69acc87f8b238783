"""Helpers for the lab-result tests: a lab with its operator, tubes swabbed and sent to it, a
lab's file as bytes."""

from __future__ import annotations

import csv
import io

from fangkong.screening.services.labs import check_send_tubes, do_register_lab
from fangkong.screening.services.results import import_lab_results

from .conftest import open_tube, swab

HEADER = ["试管编号", "检测结果", "ORF1ab", "N", "检测机构", "报告时间"]


def make_lab(tree, people, code="LAB1", name="芙蓉区疾控中心实验室"):
    return do_register_lab(code=code, name=name, region=tree.district, operators=[people.lab])


def swabbed_tube(user, campaign, barcode, *persons, lab=None, close=True):
    """A tube of ``persons``, closed and (with ``lab``) sent to the lab."""
    from fangkong.accounts.scope import scope_of
    from fangkong.screening.services import check_close_tube

    tube = open_tube(user, campaign, barcode)
    swab(user, tube, *persons)
    tube.refresh_from_db()
    if close and tube.status == "open":
        check_close_tube(scope=scope_of(user), tube=tube)
    if lab is not None:
        check_send_tubes(user=user, scope=scope_of(user), lab=lab, barcodes=[barcode])
    tube.refresh_from_db()
    return tube


def lab_csv(rows, *, title="芙蓉区疾控中心 核酸检测结果报告", header=HEADER) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    if title:
        w.writerow([title])
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return out.getvalue().encode("utf-8-sig")


def import_rows(tmp_path, rows, *, lab=None, user=None, name="results.csv", **kw):
    return import_lab_results(
        data=lab_csv(rows, **kw),
        filename=name,
        lab=lab,
        user=user,
        rejects=tmp_path / "results-rejects.csv",
    )
