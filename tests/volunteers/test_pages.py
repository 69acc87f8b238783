"""The volunteers' pages: the recruiting link, approval, the phone's sign-in and sign-out,
the certificate, the supervisors' lists."""

import uuid

import pytest
from django.urls import reverse

from fangkong.volunteers.choices import VolunteerStatus
from fangkong.volunteers.models import Shift, Volunteer
from fangkong.volunteers.services import campaign_token

from .conftest import make_post, make_team, make_volunteer


def test_anyone_applies_from_the_recruiting_link_without_an_account(client, tree):
    url = reverse("volunteers:apply", args=[campaign_token(tree.community_a)])
    page = client.get(url)
    assert page.status_code == 200 and "红星第1网格" in page.text
    key = str(uuid.uuid4())
    form = {
        "client_id": key,
        "name": "陈自荐",
        "phone": "13907318888",
        "home_area": tree.grid_a.pk,
        "skills": ["driving", "lifting"],
    }
    assert client.post(url, form).status_code == 200
    assert client.post(url, form).status_code == 200  # sent twice: one application
    v = Volunteer.objects.get()
    assert (v.status, v.skills, v.user) == (VolunteerStatus.PENDING, ["driving", "lifting"], None)


def test_the_recruiting_link_never_tells_whether_a_phone_is_a_volunteers(
    client, tree, people, login
):
    # anyone may hold the link: "a volunteer with phone ... is already registered" let them
    # test whose phone belongs to a volunteer
    known = make_volunteer(tree.grid_a, by=people.community, name="王已登记", phone="13907317777")
    url = reverse("volunteers:apply", args=[campaign_token(tree.community_a)])

    def apply(phone):
        form = {"client_id": str(uuid.uuid4()), "name": "陈试探", "phone": phone}
        return client.post(url, {**form, "home_area": tree.grid_a.pk})

    taken, fresh = apply("13907317777"), apply("13907316666")
    assert taken.status_code == fresh.status_code == 200
    assert taken.text.replace("13907317777", "") == fresh.text.replace("13907316666", "")
    assert "王已登记" not in taken.text and "陈试探" in taken.text
    assert apply("13907317777").status_code == 200  # again: the same answer, nothing recorded
    assert list(Volunteer.objects.filter(phone="13907317777")) == [known]
    # the community's own registration page still says so
    page = login(people.community).post(
        reverse("volunteers:register"),
        {"name": "王二", "phone": "13907317777", "home_area": tree.grid_a.pk},
    )
    assert page.status_code == 400 and "手机号 13907317777 的志愿者已经登记过" in page.text


def test_the_recruiting_form_says_what_is_wrong(client, tree):
    url = reverse("volunteers:apply", args=[campaign_token(tree.community_a)])
    page = client.post(url, {"name": "陈", "phone": "110", "home_area": tree.grid_a.pk})
    assert page.status_code == 400
    assert "11" in page.text  # the phone's rule
    assert Volunteer.objects.count() == 0


def test_a_forged_recruiting_link_is_gone(client):
    assert client.get(reverse("volunteers:apply", args=["forged"])).status_code == 410


def test_a_supervisor_approves_and_sees_the_initial_password_once(tree, people, login):
    client = login(people.community)
    url = reverse("volunteers:apply", args=[campaign_token(tree.community_a)])
    client.post(url, {"name": "陈自荐", "phone": "13907318888", "home_area": tree.grid_a.pk})
    v = Volunteer.objects.get()
    home = client.get(reverse("volunteers:home"))
    assert "陈自荐" in home.text
    page = client.post(reverse("volunteers:decide", args=[v.pk]), {"decision": "approve"})
    assert "13907318888" in page.text
    v.refresh_from_db()
    assert v.status == VolunteerStatus.ACTIVE and v.user.username == "13907318888"


def test_a_volunteer_lands_on_their_shifts_and_signs_in_and_out(tree, people, login, volunteer_of):
    post = make_post(tree.community_a)
    client = login(people.volunteer)
    assert client.get(reverse("people:home"))["Location"] == reverse("volunteers:me")
    page = client.get(reverse("volunteers:me"))
    assert post.name in page.text
    form = {"client_id": str(uuid.uuid4()), "post": post.pk}
    client.post(reverse("volunteers:sign_in"), form)
    client.post(reverse("volunteers:sign_in"), form)  # a double tap
    shift = Shift.objects.get()
    assert shift.is_open
    client.post(reverse("volunteers:sign_out", args=[shift.pk]))
    shift.refresh_from_db()
    assert not shift.is_open
    pdf = client.get(reverse("volunteers:certificate"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


def test_a_volunteer_cannot_sign_out_of_someone_elses_shift(tree, people, login, volunteer_of):
    post = make_post(tree.community_a)
    other = make_volunteer(tree.grid_a)
    from fangkong.volunteers.services import check_sign_in

    shift = check_sign_in(volunteer=other, post=post, client_id=uuid.uuid4())
    response = login(people.volunteer).post(reverse("volunteers:sign_out", args=[shift.pk]))
    assert response.status_code == 404
    shift.refresh_from_db()
    assert shift.is_open


def test_a_volunteer_sees_nothing_of_the_registry(tree, people, login, volunteer_of):
    client = login(people.volunteer)
    assert client.get(reverse("people:search")).status_code == 403
    assert client.get(reverse("volunteers:home")).status_code == 403
    assert "13907310" not in client.get(reverse("volunteers:me")).text


def test_the_volunteers_list_takes_a_bounded_number_of_queries(
    tree, people, login, django_assert_max_num_queries
):
    for i in range(30):
        make_volunteer(tree.grid_a, name=f"志愿{i:02d}")
    client = login(people.community)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("volunteers:home"))
    assert "志愿29" in page.text


def test_a_team_page_shows_the_day_and_the_league_ranks_it(tree, people, login):
    team = make_team(tree.community_a)
    v = make_volunteer(tree.grid_a, name="钱志愿")
    client = login(people.community)
    client.post(
        reverse("volunteers:team_members", args=[team.pk]), {"volunteer": v.pk, "action": "leader"}
    )
    page = client.get(reverse("volunteers:team", args=[team.pk]))
    assert "钱志愿" in page.text
    assert "红星第一小组" in client.get(reverse("volunteers:league")).text


def test_a_reader_who_does_not_manage_volunteers_sees_their_phone_masked(tree, people, login):
    v = make_volunteer(tree.grid_a, phone="13907315678")
    url = reverse("volunteers:volunteer", args=[v.pk])
    assert "139****5678" in login(people.grid_a).get(url).text
    assert "13907315678" not in login(people.grid_a).get(url).text
    assert "13907315678" in login(people.community).get(url).text


def test_a_volunteer_sets_their_availability_and_dispatch_follows_it(
    tree, people, login, volunteer_of
):
    import datetime as dt

    from django.utils import timezone

    from fangkong.accounts.scope import scope_of
    from fangkong.volunteers import selectors

    client = login(people.volunteer)
    client.post(
        reverse("volunteers:availability"),
        {
            "on_call": "on",
            "weekdays": ["0", "1"],
            "available_from": "18:00",
            "available_until": "22:00",
        },
    )
    volunteer_of.refresh_from_db()
    assert (volunteer_of.weekdays, volunteer_of.available_from) == (0b11, dt.time(18))
    monday_evening = timezone.make_aware(dt.datetime(2026, 11, 30, 19, 0))
    found = selectors.available(scope_of(people.community), tree.community_a, at=monday_evening)
    assert [a.id for a in found] == [volunteer_of.pk]
    refused = client.post(reverse("volunteers:availability"), {"on_call": "on"}, follow=True)
    assert "请至少选择一天" in refused.text
    client.post(reverse("volunteers:availability"), {"weekdays": ["0"]})  # off call
    assert (
        selectors.available(scope_of(people.community), tree.community_a, at=monday_evening) == []
    )


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [("9999-12-31", "22:00", "06:00"), ("0001-01-01", "08:00", "12:00"), ("2026-02-30", "8", "9")],
)
def test_rostering_on_a_day_out_of_range_says_how_to_give_it(
    tree, people, login, post, day, start, end
):
    volunteer = make_volunteer(tree.community_a)
    client = login(people.community)
    body = {"volunteer": volunteer.pk, "day": day, "start": start, "end": end}
    response = client.post(reverse("volunteers:roster", args=[post.pk]), body, follow=True)
    assert response.status_code == 200
    assert "2026-12-01" in response.content.decode()  # the message shows the form to use
    assert Shift.objects.count() == 0
