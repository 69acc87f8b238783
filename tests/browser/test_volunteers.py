"""A volunteer on a phone: lands on their shifts, signs in to the rostered one, signs out, and
downloads the certificate of their hours."""

import datetime as dt

import pytest
from django.utils import timezone

from fangkong.volunteers.choices import Source, VolunteerStatus
from fangkong.volunteers.models import Shift, Volunteer
from fangkong.volunteers.services import check_create_post, check_plan

from .conftest import fits_the_phone, log_in, shot

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_volunteer_signs_in_and_out_on_a_phone_and_downloads_the_certificate(
    live_server, tree, people, phone, tmp_path
):
    me = Volunteer.objects.create(
        user=people.volunteer,
        name="赵志愿",
        phone="13907310103",
        status=VolunteerStatus.ACTIVE,
        source=Source.COMMUNITY,
        home_area=tree.community_a,
        region_path=tree.community_a.path,
    )
    post = check_create_post(name="红星路卡口", kind="checkpoint", region=tree.community_a)
    now = timezone.now()
    check_plan(
        post=post,
        volunteer=me,
        start_at=now - dt.timedelta(minutes=5),
        end_at=now + dt.timedelta(hours=4),
        by=people.community,
    )
    log_in(phone, live_server, "volunteer")
    assert "我的值班" in phone.content() and "红星路卡口" in phone.content()  # the first page
    fits_the_phone(phone)
    shot(phone, "volunteer-shifts")
    phone.click("form:has(input[name=shift]) >> button:has-text('签到')")
    phone.wait_for_selector("text=正在红星路卡口值班")
    assert Shift.objects.get().is_open
    fits_the_phone(phone)
    shot(phone, "volunteer-on-duty")
    phone.click("button:has-text('签退')")
    phone.wait_for_selector("text=最近的班次")
    shift = Shift.objects.get()
    assert not shift.is_open and shift.closed_how == "self"
    with phone.expect_download(timeout=60_000) as download:  # the PDF embeds a CJK subset
        phone.click("text=下载志愿服务时长证明")
    path = tmp_path / "certificate.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
    assert download.value.suggested_filename.endswith(".pdf")
