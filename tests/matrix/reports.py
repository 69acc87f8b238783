"""Rows for the daily report: its page, issuing, the Excel, Word and PDF downloads, the API;
the dashboard and the partial it polls."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from fangkong.reports.docx import pdf_available

from .common import E, Endpoint

# docs/reports.md: community staff and above read reports; street staff and above issue them.
REPORT_READERS = {"hq", "district", "street", "community"}
REPORT_ISSUERS = {"hq", "district", "street"}


def readers(persona: str):
    return 200 if persona in REPORT_READERS else 403


def pdf_readers(persona: str):
    """The PDF exists only where LibreOffice Writer is installed (404 for everyone else)."""
    return readers(persona) if pdf_available() else 404


def issuers(persona: str):
    return 302 if persona in REPORT_ISSUERS else 403


def _grid(t):
    return f"?region={t.grid_a.code}&day={dt.date.today().isoformat()}"


ROWS: dict[str, Endpoint] = {
    "reports:daily": E(lambda t: reverse("reports:daily") + _grid(t), readers),
    "reports:export": E(lambda t: reverse("reports:export") + _grid(t), readers),
    "reports:export_docx": E(lambda t: reverse("reports:export_docx") + _grid(t), readers),
    "reports:export_pdf": E(lambda t: reverse("reports:export_pdf") + _grid(t), pdf_readers),
    "reports:issue": E(
        lambda t: reverse("reports:issue"),
        issuers,
        method="post",
        body=lambda t: {"region": t.grid_a.code},
        form=True,
    ),
    "reports:dashboard": E(
        lambda t: reverse("reports:dashboard") + f"?region={t.grid_a.code}", readers
    ),
    "reports:dashboard_figures": E(
        lambda t: reverse("reports:dashboard_figures") + f"?region={t.grid_a.code}", readers
    ),
    "api:daily": E(lambda t: reverse("api:daily") + _grid(t), readers),
}
