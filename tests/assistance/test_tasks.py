"""The volunteer's phone: only their own tasks, the least they need, each step once; money
advanced with a receipt photo and its repayment."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import AuditEntry
from fangkong.accounts.scope import scope_of
from fangkong.assistance.choices import Status, TaskStatus
from fangkong.assistance.models import Advance, HelpRequest
from fangkong.assistance.services import (
    HelpInvalid,
    check_answer,
    check_progress,
    check_record_advance,
    check_repaid,
    do_offer,
    receipt_type,
)

from .conftest import ask, make_volunteer

JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 100
PHONE = "13812345678"  # 张伟's, the head of household A


@pytest.fixture
def offered(tree, helper):
    r = ask(
        tree.household_a,
        kind="medicine",
        urgency="urgent",
        needed="硝苯地平，身份证430102194003080015",
    )
    return do_offer(request=r, volunteer=helper, user=None, km=1.0, explain={})


def _text(client, name, *args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_an_offered_task_shows_no_door_no_phone_no_name(offered, people, login):
    client = login(people.volunteer)
    for page in (_text(client, "assistance:tasks"), _text(client, "assistance:task", offered.pk)):
        assert "101" not in page and "5678" not in page and "张" not in page
        assert "430102194003080015" not in page  # an identifier typed in the need is masked
        assert "1栋" in page
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW_UNMASKED).exists()


def test_an_accepted_task_shows_door_and_phone_on_its_page_only_audited(offered, people, login):
    client = login(people.volunteer)
    check_answer(user=people.volunteer, task=offered, accept=True)
    page = _text(client, "assistance:task", offered.pk)
    assert f'href="tel:{PHONE}"' in page and "101" in page and "张" not in page
    entry = AuditEntry.objects.get(action=AuditAction.VIEW_UNMASKED)
    assert entry.username == "volunteer" and entry.object_type == "help_request"
    assert entry.detail["via"] == "volunteer_task"
    listing = _text(client, "assistance:tasks")
    assert "5678" not in listing  # not even masked: its last four open the QR page
    check_progress(user=people.volunteer, task=offered, step="delivered")
    after = _text(client, "assistance:task", offered.pk)
    assert "5678" not in after and "101" not in after


def test_the_phone_given_with_the_request_is_the_one_to_call(tree, helper, people, login):
    r = ask(tree.household_a, phone="139 0000 1111")
    task = do_offer(request=r, volunteer=helper, user=None, km=None, explain={})
    check_answer(user=people.volunteer, task=task, accept=True)
    assert 'href="tel:13900001111"' in _text(login(people.volunteer), "assistance:task", task.pk)


def test_another_volunteers_task_does_not_exist_for_them(tree, offered, login):
    other = make_volunteer(tree.community_a, name="孙二")
    client = login(other.user)
    assert client.get(reverse("assistance:task", args=[offered.pk])).status_code == 404
    for name, body in (("assistance:answer", {"answer": "accept"}), ("assistance:step", {})):
        assert client.post(reverse(name, args=[offered.pk]), body).status_code == 404
    assert "1栋" not in _text(client, "assistance:tasks")


def test_a_volunteer_reads_nothing_of_the_registry(tree, people, login):
    client = login(people.volunteer)
    for url in (
        reverse("people:person", args=[tree.person_a.pk]),
        reverse("assistance:home"),
        reverse("assistance:new"),
        reverse("assistance:rounds"),
    ):
        assert client.get(url).status_code == 403


def test_declining_says_why_and_the_request_waits_again(offered, people):
    with pytest.raises(HelpInvalid):
        check_answer(user=people.volunteer, task=offered, accept=False)
    check_answer(user=people.volunteer, task=offered, accept=False, reason="太远")
    offered.request.refresh_from_db()
    assert offered.request.status == Status.OPEN


def test_each_step_happens_once_and_in_order(offered, people):
    user = people.volunteer
    with pytest.raises(HelpInvalid):
        check_progress(user=user, task=offered, step="picked_up")  # not accepted yet
    check_answer(user=user, task=offered, accept=True)
    check_answer(user=user, task=offered, accept=True)  # resent: nothing changes
    check_progress(user=user, task=offered, step="picked_up")
    done = check_progress(user=user, task=offered, step="delivered")
    again = check_progress(user=user, task=offered, step="delivered")
    assert again.done_at == done.done_at
    r = HelpRequest.objects.get()
    assert r.status == Status.DELIVERED and r.closed_at == done.done_at and r.on_time()
    with pytest.raises(HelpInvalid):
        check_progress(user=user, task=offered, step="could_not", reason="x")


def test_could_not_says_why_and_returns_the_request_to_the_community(offered, people):
    user = people.volunteer
    check_answer(user=user, task=offered, accept=True)
    with pytest.raises(HelpInvalid):
        check_progress(user=user, task=offered, step="could_not")
    check_progress(user=user, task=offered, step="could_not", reason="药店没有此药")
    offered.refresh_from_db()
    assert offered.status == TaskStatus.COULD_NOT and offered.reason == "药店没有此药"
    assert HelpRequest.objects.get().status == Status.OPEN


def test_the_phone_marks_the_task_delivered(offered, people, login):
    client = login(people.volunteer)
    client.post(reverse("assistance:answer", args=[offered.pk]), {"answer": "accept"})
    client.post(reverse("assistance:step", args=[offered.pk]), {"step": "delivered"})
    assert HelpRequest.objects.get().status == Status.DELIVERED


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xdb", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"),
        (b"\0\0\0\x18ftypheic", "image/heic"),
        (b"%PDF-1.7", None),
        (b"<svg xmlns=", None),
    ],
)
def test_a_receipt_is_told_by_its_first_bytes(head, kind):
    assert receipt_type(head) == kind


def _advance(task, user, amount="35.50", data=JPEG, client_id=None):
    return check_record_advance(
        user=user,
        task=task,
        amount=amount,
        receipt=SimpleUploadedFile("r.jpg", data, content_type="image/jpeg"),
        client_id=client_id or uuid.uuid4(),
    )


def test_money_advanced_is_recorded_with_its_receipt_once(offered, people, settings):
    user = people.volunteer
    with pytest.raises(HelpInvalid):
        _advance(offered, user)  # not accepted
    check_answer(user=user, task=offered, accept=True)
    client_id = uuid.uuid4()
    a = _advance(offered, user, client_id=client_id)
    assert _advance(offered, user, client_id=client_id).pk == a.pk
    assert Advance.objects.count() == 1
    assert (settings.VAR_DIR / "receipts" / a.receipt).read_bytes() == JPEG
    for amount in ("0", "-1", "10000.01", "1.234", "abc", "NaN"):
        with pytest.raises(HelpInvalid) as e:
            _advance(offered, user, amount=amount)
        assert "amount" in e.value.errors
    with pytest.raises(HelpInvalid) as e:
        _advance(offered, user, data=b"%PDF-1.7 fake")
    assert "JPEG" in e.value.errors["receipt"]
    with pytest.raises(HelpInvalid) as e:
        _advance(offered, user, data=JPEG + b"\0" * (5 * 1024 * 1024))
    assert "5 MB" in e.value.errors["receipt"]
    assert Advance.objects.count() == 1


@pytest.mark.parametrize(
    ("typed", "yuan"),
    [
        ("1，000", "1000.00"),  # a Chinese keyboard's comma groups thousands, as in 1,000
        ("1,000.50", "1000.50"),
        ("１２．５", "12.50"),  # full width, as a Chinese input method types it
        ("٣٠", "30.00"),
        ("¥46.80元", "46.80"),
    ],
)
def test_an_advance_reads_the_amount_as_the_volunteer_meant_it(offered, people, typed, yuan):
    check_answer(user=people.volunteer, task=offered, accept=True)
    assert str(_advance(offered, people.volunteer, amount=typed).amount) == yuan


@pytest.mark.parametrize("typed", ["1e3", "12。5", "10,000.01", "-5", ""])
def test_an_advance_amount_that_is_not_plain_yuan_is_refused_saying_what_is_allowed(
    offered, people, typed
):
    check_answer(user=people.volunteer, task=offered, accept=True)
    with pytest.raises(HelpInvalid) as e:
        _advance(offered, people.volunteer, amount=typed)
    assert "yuan" in e.value.errors["amount"]
    assert Advance.objects.count() == 0


def test_a_resent_advance_form_with_another_amount_is_refused_not_swallowed(offered, people):
    """The browser's back button brings the form back with its client id: a second receipt
    typed into it must not vanish under 'recorded'."""
    check_answer(user=people.volunteer, task=offered, accept=True)
    client_id = uuid.uuid4()
    first = _advance(offered, people.volunteer, amount="46.80", client_id=client_id)
    assert _advance(offered, people.volunteer, amount="46.8", client_id=client_id).pk == first.pk
    with pytest.raises(HelpInvalid) as e:
        _advance(offered, people.volunteer, amount="23.50", client_id=client_id)
    assert "sent already" in e.value.errors["amount"] and "46.80" in e.value.errors["amount"]
    assert Advance.objects.count() == 1


def test_an_advance_is_repaid_by_the_volunteer_or_the_community(offered, people, login):
    user = people.volunteer
    check_answer(user=user, task=offered, accept=True)
    a = _advance(offered, user)
    with pytest.raises(HelpInvalid):
        check_repaid(user=user, scope=scope_of(user), advance=a, how="")
    check_repaid(user=user, scope=scope_of(user), advance=a, how="上门现金")
    a.refresh_from_db()
    assert a.repaid_at and a.repaid_how == "上门现金"
    receipt = login(people.community).get(reverse("assistance:receipt", args=[a.pk]))
    assert receipt.status_code == 200 and receipt["Content-Type"] == "image/jpeg"
    assert b"".join(receipt.streaming_content) == JPEG


def test_the_phone_uploads_a_receipt(offered, people, login):
    client = login(people.volunteer)
    client.post(reverse("assistance:answer", args=[offered.pk]), {"answer": "accept"})
    body = {
        "amount": "28",
        "client_id": str(uuid.uuid4()),
        "receipt": SimpleUploadedFile("r.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 50),
    }
    assert client.post(reverse("assistance:advance", args=[offered.pk]), body).status_code == 302
    assert Advance.objects.get().receipt_type == "image/png"


def test_my_tasks_list_reads_a_few_queries(
    tree, helper, people, login, django_assert_max_num_queries
):
    for _i in range(9):
        do_offer(
            request=ask(tree.household_a, kind="other", urgency="normal"),
            volunteer=helper,
            user=None,
            km=None,
            explain={},
        )
    client = login(people.volunteer)
    with django_assert_max_num_queries(12):
        client.get(reverse("assistance:tasks"))
