"""Issuing a report freezes it; a correction is a new version that says what changed."""

from __future__ import annotations

import datetime as dt
import io
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from fangkong.accounts.scope import scope_of
from fangkong.reports.models import DailyReport, ReportFrozen
from fangkong.reports.selectors import changes, intact
from fangkong.reports.services import ReportInvalid, check_issue_report

from .conftest import DAY, at, check_in


def issue(people, region, user="hq", day=DAY):
    return check_issue_report(
        user=people[user], scope=scope_of(people[user]), region=region, day=day
    )


def test_an_issued_report_keeps_its_figures_when_the_data_changes(city, people):
    first = issue(people, city.city)
    check_in(city.person_b, at(DAY, 20))  # 李娜's late report
    stored = DailyReport.objects.get(pk=first.pk)
    health = next(s for s in stored.content["sections"] if s["key"] == "health")
    assert next(f["today"] for f in health["figures"] if f["key"] == "reported") == 1
    assert (stored.version, stored.issued_by, intact(stored)) == (1, people.hq, True)


def test_an_issued_report_cannot_be_changed_or_deleted_through_the_orm(city, people):
    report = issue(people, city.city)
    report.content = {"forged": True}
    with pytest.raises(ReportFrozen):
        report.save()
    with pytest.raises(ReportFrozen):
        DailyReport.objects.filter(pk=report.pk).update(content={})
    with pytest.raises(ReportFrozen):
        report.delete()
    with pytest.raises(ReportFrozen):
        DailyReport.objects.all().delete()
    assert DailyReport.objects.get(pk=report.pk).content != {"forged": True}


def test_the_admin_shows_an_issued_report_but_cannot_change_it(city, people, client):
    from fangkong.accounts.models import User

    report = issue(people, city.city)
    admin = User.objects.create_superuser("root", password="pw-for-tests")
    client.force_login(admin)
    url = reverse("admin:reports_dailyreport_change", args=[report.pk])
    assert client.get(url).status_code == 200  # read-only view
    answer = client.post(url, {"version": "9", "content": "{}"})
    assert answer.status_code == 403
    delete = reverse("admin:reports_dailyreport_delete", args=[report.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert DailyReport.objects.get(pk=report.pk).version == 1


def test_a_correction_is_version_2_and_says_what_changed(city, people):
    first = issue(people, city.city)
    check_in(city.person_b, at(DAY, 20))
    second = issue(people, city.city)
    assert (second.version, DailyReport.objects.count()) == (2, 2)
    found = changes(first.content, second.content)
    whole = {(c["figure"], c["before"], c["after"]) for c in found if not c["region"]}
    assert ("Reported, of those due", 1, 2) in whole and ("Not reported", 1, 0) in whole
    assert any(c["region"] == "芙蓉区" and c["figure"] == "Reported, of those due" for c in found)


def test_issuing_again_what_was_issued_is_refused(city, people):
    issue(people, city.city)
    with pytest.raises(ReportInvalid, match="version 1"):
        issue(people, city.city)
    assert DailyReport.objects.count() == 1


def test_a_day_to_come_cannot_be_issued(city, people):
    with pytest.raises(ReportInvalid):
        issue(people, city.city, day=dt.date.today() + dt.timedelta(days=1))


def test_who_may_issue(city, people):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    assert issue(people, city.street, user="street").version == 1
    with pytest.raises(PermissionDenied):
        issue(people, city.community_a, user="community")
    with pytest.raises(Http404):
        issue(people, city.city, user="district")


def test_the_page_issues_then_shows_version_2_with_its_changes(city, people, login):
    client = login(people.hq)
    query = {"region": city.city.code, "day": DAY.isoformat()}
    answer = client.post(reverse("reports:issue"), query)
    assert answer.status_code == 302 and "version=1" in answer["Location"]
    check_in(city.person_b, at(DAY, 20))
    page = client.get(reverse("reports:daily"), query)
    assert "签发为第 2 版".encode() in page.content  # the button names the next version
    answer = client.post(reverse("reports:issue"), query)
    assert "version=2" in answer["Location"]
    page = client.get(answer["Location"]).content.decode()
    assert "与第 1 版相比" in page  # what changed from version 1
    assert "第 2 版" in page


def test_the_audit_log_records_who_issued_which_version(city, people):
    from fangkong.accounts.models import AuditEntry

    first = issue(people, city.city)
    check_in(city.person_b, at(DAY, 20))
    second = issue(people, city.city)
    entries = AuditEntry.objects.filter(action="report_issued").order_by("id")
    assert [(e.user, e.object_id, e.detail["version"]) for e in entries] == [
        (people.hq, "430100", 1),
        (people.hq, "430100", 2),
    ]
    assert entries[1].detail == {
        "day": DAY.isoformat(),
        "version": 2,
        "hash": second.content_hash,
    }
    assert first.content_hash != second.content_hash
    with pytest.raises(ReportInvalid):
        issue(people, city.city)  # refused: nothing changed, nothing audited
    assert entries.count() == 2


def _section_keys(content) -> set[str]:
    return {s["key"] for s in content["sections"]}


@pytest.mark.parametrize(
    ("issuer", "reader", "region", "hidden"),
    [
        ("hq", "street", "street", "funds"),  # street staff read no funds
        ("street", "community", "community_a", "beds"),  # community staff read no beds
    ],
)
def test_an_issued_report_shows_a_reader_only_the_sections_their_role_reads(
    city, people, login, issuer, reader, region, hidden
):
    report = issue(people, getattr(city, region), user=issuer)
    assert hidden in _section_keys(report.content)  # the issuer's snapshot holds it
    client = login(people[reader])
    query = {"region": report.region.code, "day": DAY.isoformat(), "version": "1"}
    page = client.get(reverse("reports:daily"), query)
    assert page.status_code == 200
    assert hidden not in {s["key"] for s in page.context["sections"]}
    api = client.get("/api/v1/reports/daily", {"region": report.region.code, "day": DAY})
    assert api.status_code == 200 and api.json()["version"] == 1
    assert hidden not in _section_keys(api.json())
    title = str(next(s["title"] for s in report.content["sections"] if s["key"] == hidden))
    workbook = client.get(reverse("reports:export"), query)
    sheets = load_workbook(io.BytesIO(workbook.content)).sheetnames
    assert sheets and not any(title in name for name in sheets)
    own = compile_for(people[reader], report.region)
    assert _section_keys(page.context["content"]) == _section_keys(own)


def compile_for(user, region):
    from fangkong.reports.selectors import compile_report

    return compile_report(scope_of(user), region, DAY)


postgres = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="needs PostgreSQL (concurrent issuers)",
)


@postgres
@pytest.mark.django_db(transaction=True)
def test_two_issues_of_the_same_figures_at_once_make_one_version(city, people, monkeypatch):
    from fangkong.reports import services

    compiled = threading.Barrier(2)
    compile_report = services.compile_report

    def compile_together(*args, **kwargs):
        content = compile_report(*args, **kwargs)
        compiled.wait()  # both have their figures before either has stored a version
        return content

    monkeypatch.setattr(services, "compile_report", compile_together)

    def click(user) -> str:
        try:
            return f"v{issue(people, city.street, user=user).version}"
        except ReportInvalid:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:  # a double click on the button
        outcomes = sorted(pool.map(click, ["street", "street"]))
    assert outcomes == ["refused", "v1"]
    assert DailyReport.objects.filter(region=city.street).count() == 1
