"""Records linked across scopes (issue 11 item 3), checkpoints that show no one (item 4), and
what follows a person who moves (item 6)."""

import datetime as dt
import uuid

from django.urls import reverse
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.health.models import Alert, Case, CheckIn, Observation
from fangkong.health.services import (
    CheckInData,
    check_add_contact,
    check_create_checkpoint,
    check_start_observation,
    record_check_ins,
)
from fangkong.people.services.dedupe import do_merge_persons
from fangkong.people.services.ledger import import_ledger

from ..conftest import make_person, start_watch

TODAY = timezone.localdate


def case_of(person):
    return Case.objects.create(
        person=person, region_path=person.region_path, classification="confirmed", report_on=TODAY()
    )


def contact(people, case, person, **kw):
    return check_add_contact(
        user=people.street,
        scope=scope_of(people.street),
        case=case,
        person=person,
        kind=kw.pop("kind", "close"),
        last_exposure_on=TODAY(),
        **kw,
    )[0]


# Linked records


def test_a_grid_worker_sees_no_name_of_a_case_in_another_grid(tree, people, login):
    """A street officer adds grid A's 张伟 as a contact of grid B's 李娜."""
    case = case_of(tree.person_b)
    contact(people, case, tree.person_a)
    page = login(people.grid_a).get(reverse("health:person", args=[tree.person_a.pk]))
    assert page.status_code == 200
    assert "李娜".encode() not in page.content
    assert "另一区域的病例".encode() in page.content
    assert reverse("health:case", args=[case.pk]).encode() not in page.content
    street = login(people.street).get(reverse("health:person", args=[tree.person_a.pk]))
    assert "李娜".encode() in street.content


def test_a_case_lists_a_contact_in_another_grid_without_name_id_or_link(tree, people, login):
    case = case_of(tree.child_a)
    close = contact(people, case, tree.person_b)
    secondary = make_person(tree.grid_b, name="赵强")
    contact(people, case, secondary, kind="secondary", via=close)
    client = login(people.grid_a)
    for url in (
        reverse("health:case", args=[case.pk]) + "?q=张伟",
        reverse("health:cases") + f"?region={tree.grid_a.code}",
    ):
        page = client.get(url)
        assert page.status_code == 200
        for hidden in ("李娜", "赵强", reverse("health:person", args=[tree.person_b.pk])):
            assert hidden.encode() not in page.content, (url, hidden)
        assert "另一区域的密接".encode() in page.content
        assert f'value="{close.pk}"'.encode() not in page.content  # not offered as "via"
    shown = login(people.street).get(reverse("health:case", args=[case.pk]))
    assert "李娜".encode() in shown.content and "赵强".encode() in shown.content


# Checkpoints


def test_a_checkpoint_shows_whether_someone_is_watched_never_who(tree, people, login):
    check_start_observation(
        user=people.grid_a,
        scope=scope_of(people.grid_a),
        person=tree.person_a,
        kind="home_observation",
        reason="返乡",
    )
    point = check_create_checkpoint(
        scope=scope_of(people.volunteer),
        region=tree.grid_a,
        name="东门",
        opens_at=dt.time(7),
        closes_at=dt.time(22),
    )
    client = login(people.volunteer)
    url = reverse("health:checkpoint", args=[point.pk])
    for person in (tree.person_a, tree.child_a):
        body = {
            "client_id": str(uuid.uuid4()),
            "direction": "in",
            "temperature": "36.5",
            "outcome": "allowed",
            "id_number": person.id_number,
        }
        assert client.post(url, body).status_code == 302
    page = client.get(url).content
    for secret in ("张伟", "张小明", tree.person_a.id_number, tree.person_a.id_number[-4:], "返乡"):
        assert secret.encode() not in page
    # the watched person only: a registered one not watched looks like a number not registered
    assert page.count("正在观察".encode()) == 1 and "未在观察".encode() not in page


def test_an_unknown_id_number_at_a_checkpoint_is_logged_like_any_other(tree, people, login):
    point = check_create_checkpoint(
        scope=scope_of(people.volunteer),
        region=tree.grid_a,
        name="东门",
        opens_at=dt.time(7),
        closes_at=dt.time(22),
    )
    page = login(people.volunteer).post(
        reverse("health:checkpoint", args=[point.pk]),
        {
            "client_id": str(uuid.uuid4()),
            "direction": "in",
            "outcome": "allowed",
            "id_number": tree.person_c.id_number,  # another district
        },
    )
    assert page.status_code == 302  # the same answer as for a number registered here


# Moving


def fever_and_watch(people, person):
    record_check_ins(
        items=[CheckInData(uuid.uuid4(), person.pk, "38.6")],
        persons={person.pk: person.region_path},
    )
    check_start_observation(
        user=people.grid_a,
        scope=scope_of(people.grid_a),
        person=person,
        kind="home_observation",
        reason="返乡",
    )


def ledger_moving(person, grid):
    text = f"姓名,身份证号,网格\n{person.name},{person.id_number},{grid.code}\n"
    return text.encode()


def test_a_ledger_import_moving_a_person_moves_their_open_alert_and_watch(tree, people, login):
    fever_and_watch(people, tree.person_a)
    past = start_watch(
        tree.person_a,
        reason="旧",
        start=TODAY() - dt.timedelta(days=40),
        end=TODAY() - dt.timedelta(days=27),
    )
    yesterday = CheckIn.objects.create(
        client_id=uuid.uuid4(),
        person=tree.person_a,
        region_path=tree.person_a.region_path,
        measured_at=timezone.now() - dt.timedelta(days=1),
        on=TODAY() - dt.timedelta(days=1),
        temperature="36.5",
        source="self",
    )
    result = import_ledger(
        data=ledger_moving(tree.person_a, tree.grid_b),
        filename="l.csv",
        region=tree.street,
    )
    assert result.updated == 1, result.rejected
    b = tree.grid_b.path
    assert Alert.objects.get().region_path == b
    assert Observation.objects.exclude(pk=past.pk).get().region_path == b
    assert CheckIn.objects.get(on=TODAY()).region_path == b
    past.refresh_from_db()
    yesterday.refresh_from_db()
    assert past.region_path == yesterday.region_path == tree.grid_a.path  # history stays
    old = login(people.grid_a)
    assert (
        "张伟".encode()
        not in old.get(reverse("health:alerts") + f"?region={tree.grid_a.code}").content
    )
    alert = Alert.objects.get()
    assert (
        old.post(reverse("health:alert_close", args=[alert.pk]), {"outcome": "normal"}).status_code
        == 404
    )
    new = login(people.grid_b).get(reverse("health:alerts") + f"?region={tree.grid_b.code}")
    assert "张伟".encode() in new.content


def test_a_ledger_import_moving_many_people_updates_each_table_once(
    tree, people, django_assert_max_num_queries
):
    movers = [make_person(tree.grid_a, name=f"居民{i}") for i in range(30)]
    for p in movers:
        record_check_ins(
            items=[CheckInData(uuid.uuid4(), p.pk, "38.0")], persons={p.pk: p.region_path}
        )
    text = "姓名,身份证号,网格\n" + "".join(
        f"{p.name},{p.id_number},{tree.grid_b.code}\n" for p in movers
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        import_ledger(data=text.encode(), filename="l.csv", region=tree.street)
    alert_updates = [q for q in queries if q["sql"].startswith('UPDATE "health_alert"')]
    assert len(alert_updates) == 1
    assert set(Alert.objects.values_list("region_path", flat=True)) == {tree.grid_b.path}


def test_a_merge_brings_the_dropped_records_open_alert_to_the_kept_ones_area(tree, people):
    twin = make_person(tree.grid_b, name="张伟", id_type="passport", id_number="E12345678")
    record_check_ins(
        items=[CheckInData(uuid.uuid4(), twin.pk, "38.6")], persons={twin.pk: twin.region_path}
    )
    do_merge_persons(user=people.street, keep=tree.person_a, drop=twin)
    alert = Alert.objects.get()
    assert (alert.person_id, alert.region_path) == (tree.person_a.pk, tree.grid_a.path)
