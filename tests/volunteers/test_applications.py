"""Self-registration from a campaign link, approval, and the certificate of hours."""

import datetime as dt
import re
import uuid
import zlib

import pytest
from django.utils import timezone

from fangkong.accounts.choices import Role
from fangkong.volunteers.certificate import certificate_pdf
from fangkong.volunteers.choices import VolunteerStatus
from fangkong.volunteers.selectors import hours_of
from fangkong.volunteers.services import (
    Profile,
    VolunteerInvalid,
    campaign_token,
    check_apply,
    check_approve,
    check_decline,
    check_sign_in,
    check_sign_out,
    region_of_token,
)

from .conftest import make_post, make_volunteer


def apply(tree, phone="13907319999", home=None, key=None):
    return check_apply(
        region=tree.community_a,
        profile=Profile(
            name="陈自荐", phone=phone, home_area=home or tree.grid_a, skills=["language"]
        ),
        client_id=key or uuid.uuid4(),
    )


def test_a_campaign_link_names_its_region_and_a_forged_one_nothing(tree):
    token = campaign_token(tree.community_a)
    assert region_of_token(token) == tree.community_a
    assert region_of_token(token[:-2] + "xx") is None
    assert region_of_token("not a token") is None


def test_an_application_waits_without_an_account_until_approved(tree, people):
    v = apply(tree)
    assert (v.status, v.user) == (VolunteerStatus.PENDING, None)
    done = check_approve(volunteer=v, by=people.community)
    v.refresh_from_db()
    assert v.status == VolunteerStatus.ACTIVE and v.approved_by == people.community
    assert v.user.role == Role.VOLUNTEER and v.user.check_password(done.password)
    with pytest.raises(VolunteerInvalid):
        check_approve(volunteer=v, by=people.community)


def test_the_same_application_sent_twice_is_one(tree):
    key = uuid.uuid4()
    assert apply(tree, key=key).pk == apply(tree, key=key).pk


def test_a_declined_applicant_may_apply_again(tree, people):
    check_decline(volunteer=apply(tree), by=people.community)
    again = apply(tree)
    assert again.status == VolunteerStatus.PENDING


def test_an_application_must_live_inside_the_links_region(tree):
    with pytest.raises(VolunteerInvalid) as e:
        apply(tree, home=tree.grid_b)
    assert "home_area" in e.value.errors


def test_the_certificate_is_a_real_pdf_with_the_chinese_text_and_the_hours(tree):
    v = make_volunteer(tree.grid_a, name="赵志愿")
    post = make_post(tree.community_a)
    t0 = timezone.make_aware(dt.datetime(2026, 11, 30, 8, 0))
    shift = check_sign_in(volunteer=v, post=post, client_id=uuid.uuid4(), now=t0)
    check_sign_out(volunteer=v, shift=shift, now=t0 + dt.timedelta(hours=2, minutes=30))
    pdf = certificate_pdf(hours_of(v), issuer="红星社区", on=dt.date(2026, 12, 1))
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert b"NotoSansCJK" in pdf  # the CJK font is embedded
    # the text maps back to Unicode: the ToUnicode map holds 志 (U+5FD7) and 愿 (U+613F)
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    text = b"".join(zlib.decompress(s) if s[:1] == b"x" else s for s in streams)
    assert b"<5FD7>" in text.upper() and b"<613F>" in text.upper()
