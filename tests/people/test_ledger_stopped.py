"""An upload always ends done or failed: one whose process stopped mid-import is marked failed
(nothing of it was saved: the import is one transaction) when its list or progress is read, and
by the timer."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.people.models import LedgerUpload, Person
from fangkong.people.services import STALE_AFTER, fail_stopped_uploads, run_ledger_upload

from .ledgers import HEADER, ident, xlsx

UPLOAD = reverse("people:ledger_upload")
STOPPED_ZH = "导入中断了：什么都没有保存，请重新上传文件"


class Killed(BaseException):
    """What a worker killed mid-request looks like to the code: nothing after it runs."""


def stopped_upload(tree, user) -> LedgerUpload:
    """An upload whose worker died after its rows were written, before the commit."""

    def die_after_writing(checked, rejected, total):
        if checked:
            raise Killed

    upload_id = uuid.uuid4()
    data = xlsx([HEADER, [1, "赵一", "男", ident(1)], [2, "钱二", "女", ident(2)]])
    with pytest.raises(Killed):
        run_ledger_upload(
            user=user,
            scope=scope_of(user),
            region=tree.grid_a,
            upload_id=upload_id,
            filename="台账.xlsx",
            data=data,
            on_progress=die_after_writing,
        )
    return LedgerUpload.objects.get(upload_id=upload_id)


def minutes_pass(upload: LedgerUpload, minutes: int) -> None:
    """The upload started ``minutes`` ago, and its last progress was then."""
    then = timezone.now() - dt.timedelta(minutes=minutes)
    LedgerUpload.objects.filter(pk=upload.pk).update(created_at=then)
    key = f"ledger-progress:{upload.user_id}:{upload.upload_id}"
    state = cache.get(key)
    if state is not None:
        cache.set(key, {**state, "at": then.timestamp()})


def test_a_stopped_import_saved_nothing_and_shows_failed_on_the_uploads_list(tree, people, login):
    upload = stopped_upload(tree, people.grid_a)
    assert upload.status == "running"
    assert not Person.objects.filter(name__in=["赵一", "钱二"]).exists()  # one transaction
    client = login(people.grid_a)
    page = client.get(UPLOAD + f"?region={tree.grid_a.code}").content.decode()
    assert "进行中" in page  # not yet: within STALE_AFTER it may still be working
    minutes_pass(upload, STALE_AFTER.seconds // 60 + 1)
    page = client.get(UPLOAD + f"?region={tree.grid_a.code}").content.decode()
    upload.refresh_from_db()
    assert (upload.status, upload.finished_at is not None) == ("failed", True)
    assert upload.error == STOPPED_ZH and STOPPED_ZH in page


def test_the_progress_of_a_stopped_upload_says_it_failed(tree, people, login):
    upload = stopped_upload(tree, people.grid_a)
    minutes_pass(upload, 11)
    client = login(people.grid_a)
    response = client.get(reverse("people:ledger_progress", args=[upload.upload_id]))
    assert b'role="alert"' in response.content
    assert LedgerUpload.objects.get().status == "failed"


def test_an_import_still_reporting_progress_is_not_failed_however_long_it_runs(tree, people):
    upload = stopped_upload(tree, people.grid_a)
    LedgerUpload.objects.filter(pk=upload.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    key = f"ledger-progress:{upload.user_id}:{upload.upload_id}"
    cache.set(
        key, {"checked": 20000, "rejected": 0, "total": 90000, "at": timezone.now().timestamp()}
    )
    assert fail_stopped_uploads() == 0
    assert LedgerUpload.objects.get().status == "running"


def test_the_timer_marks_stopped_uploads_failed(tree, people, capsys):
    upload = stopped_upload(tree, people.grid_a)
    minutes_pass(upload, 11)
    call_command("escalate")
    assert "marked 1 stopped ledger uploads failed" in capsys.readouterr().out
    assert LedgerUpload.objects.get().status == "failed"


def test_sending_a_stopped_upload_again_through_the_api_says_it_failed(tree, people, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = stopped_upload(tree, people.grid_a)
    minutes_pass(upload, 11)
    response = login(people.grid_a).post(
        reverse("api:import_ledger_file"),
        {
            "region": tree.grid_a.code,
            "upload_id": str(upload.upload_id),
            "file": SimpleUploadedFile("台账.xlsx", xlsx([HEADER])),
        },
    )
    assert response.status_code == 422
    assert LedgerUpload.objects.get().status == "failed"
