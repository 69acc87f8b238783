"""The registry pages as a grid worker and staff use them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import AuditEntry
from fangkong.regions.services import get_or_create_household

from ..conftest import make_person


def test_home_takes_a_grid_worker_to_their_grid(tree, people, login):
    response = login(people.grid_a).get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:region", args=[tree.grid_a.code])


def test_a_role_without_registry_access_gets_a_plain_explanation(people, login):
    response = login(people.hospital).get("/", follow=True)
    assert response.status_code == 200
    assert "张伟" not in response.content.decode()


def test_the_grid_page_counts_buildings_residents_and_tags(tree, people, login):
    body = login(people.grid_a).get(reverse("people:region", args=[tree.grid_a.code]))
    text = body.content.decode()
    assert "1栋" in text and "2栋" not in text
    assert "<b>2</b> 居民" in text  # 张伟 and his grandson
    assert "<b>1</b> 14岁以下儿童" in text
    assert "<b>1</b> 独居老人" in text


def test_the_region_page_rolls_counts_up_the_tree(tree, people, login):
    text = login(people.street).get(reverse("people:region", args=[tree.street.code]))
    text = text.content.decode()
    assert "红星社区" in text and "芷园社区" in text and "枫林社区" not in text
    assert "<b>3</b> 居民" in text  # the street: 张伟, 张小明, 李娜


def test_the_building_page_lists_households_with_members_and_tags(tree, people, login):
    text = login(people.grid_a).get(reverse("people:building", args=[tree.building_a.pk]))
    text = text.content.decode()
    assert "张伟" in text and "张小明" in text and "独居老人" in text and "14岁以下儿童" in text


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_building_page_costs_the_same_queries_for_many_households(tree, people, login):
    client = login(people.grid_a)
    url = reverse("people:building", args=[tree.building_a.pk])
    few = _queries(client, url)
    for door in range(102, 140):
        household = get_or_create_household(
            grid=tree.grid_a, building=tree.building_a, unit="1", door=str(door)
        )
        make_person(tree.grid_a, name=f"住户{door}", household=household, tags=["disabled"])
    assert _queries(client, url) == few <= 10


def test_the_building_page_shows_one_unit_a_page_at_a_time(tree, people, login):
    for door in range(102, 140):
        get_or_create_household(
            grid=tree.grid_a, building=tree.building_a, unit="1", door=str(door)
        )
    get_or_create_household(grid=tree.grid_a, building=tree.building_a, unit="2", door="9901")
    client = login(people.grid_a)
    url = reverse("people:building", args=[tree.building_a.pk])
    first = client.get(url).content.decode()
    assert "张伟" in first and "9901" not in first and "page=2" in first
    unit2 = client.get(url, {"unit": "2"}).content.decode()
    assert "9901" in unit2 and "张伟" not in unit2


def test_the_grid_and_search_pages_do_not_grow_queries_with_residents(
    tree, people, login, django_assert_max_num_queries
):
    for i in range(40):
        make_person(tree.grid_a, name=f"张{i}", household=tree.household_a, tags=["returnee"])
    client = login(people.grid_a)
    with django_assert_max_num_queries(10):
        client.get(reverse("people:region", args=[tree.grid_a.code]))
    with django_assert_max_num_queries(8):
        assert "张0" in client.get(reverse("people:search") + "?q=张").content.decode()


def test_the_person_page_shows_identifiers_masked(tree, people, login):
    text = login(people.grid_a).get(reverse("people:person", args=[tree.person_a.pk]))
    text = text.content.decode()
    assert tree.person_a.id_masked in text and "138****5678" in text
    assert tree.person_a.id_number not in text and "13812345678" not in text


@pytest.mark.parametrize("who", ["hq", "district", "street", "grid_a"])
def test_pages_beside_a_masked_number_show_the_birth_year_not_the_date(tree, people, login, who):
    client = login(getattr(people, who))
    for url in (
        reverse("people:person", args=[tree.person_a.pk]),
        reverse("people:household", args=[tree.household_a.pk]),
        reverse("people:building", args=[tree.building_a.pk]),
        reverse("people:search") + "?q=张",
    ):
        text = client.get(url).content.decode()
        assert "张伟" in text and "1940年生" in text, url
        assert "1940-03-08" not in text and "86岁" not in text and "85岁" not in text, url


def test_revealing_shows_the_full_id_and_phone_and_is_audited(tree, people, login):
    response = login(people.grid_a).post(reverse("people:reveal", args=[tree.person_a.pk]))
    text = response.content.decode()
    assert tree.person_a.id_number in text and 'href="tel:13812345678"' in text
    assert "1940-03-08" in text  # the birth date, only here
    entry = AuditEntry.objects.get(action=AuditAction.VIEW_UNMASKED)
    assert (entry.username, entry.object_id) == ("grid_a", str(tree.person_a.pk))


def test_street_staff_see_no_reveal_button(tree, people, login):
    text = login(people.street).get(reverse("people:person", args=[tree.person_a.pk]))
    assert "hx-post" not in text.content.decode()


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("张", {"张伟", "张小明"}),
        ("张伟", {"张伟"}),
        ("13812345678", {"张伟"}),
        ("５６７８", set()),  # four digits of a phone are not an ID tail
    ],
)
def test_search_by_name_phone_or_id_tail(tree, people, login, q, found):
    text = login(people.community).get(reverse("people:search"), {"q": q}).content.decode()
    assert {n for n in ("张伟", "张小明", "李娜") if n in text} == found


def test_search_by_the_last_four_digits_of_an_id(tree, people, login):
    tail = tree.person_a.id_number[-4:]
    text = login(people.hq).get(reverse("people:search"), {"q": tail}).content.decode()
    assert "张伟" in text


@pytest.mark.parametrize("digits", [5, 6, 10, 18])
def test_a_masked_role_cannot_search_by_digits_its_mask_hides(tree, people, login, digits):
    """Tried one digit at a time from the end, a longer tail would rebuild the number."""
    q = tree.person_a.id_number[-digits:]
    text = login(people.hq).get(reverse("people:search"), {"q": q}).content.decode()
    assert "张伟" not in text and "只显示这么多" in text


def test_a_masked_role_cannot_confirm_a_phone_number_by_searching_it(tree, people, login):
    text = login(people.street).get(reverse("people:search"), {"q": "13812345678"})
    assert "张伟" not in text.content.decode()


def test_a_grid_worker_finds_a_resident_by_the_whole_id_number(tree, people, login):
    client = login(people.grid_a)
    text = client.get(reverse("people:search"), {"q": tree.person_a.id_number}).content.decode()
    assert "张伟" in text
    partial = client.get(reverse("people:search"), {"q": tree.person_a.id_number[-7:]})
    assert "张伟" not in partial.content.decode()


def test_too_few_digits_get_a_message_not_a_scan(tree, people, login):
    text = login(people.hq).get(reverse("people:search"), {"q": "12"}).content.decode()
    assert "至少输入 4 位" in text


def test_search_by_tag(tree, people, login):
    text = login(people.hq).get(reverse("people:search"), {"tag": "elderly_alone"})
    text = text.content.decode()
    assert "张伟" in text and "李娜" not in text


def test_the_export_is_masked_for_street_staff_and_audited(tree, people, login):
    response = login(people.street).get(reverse("people:export"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "张伟" in body and "李娜" in body and "王芳" not in body
    assert tree.person_a.id_masked in body and tree.person_a.id_number not in body
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.username == "street" and entry.detail["unmasked"] is False


def test_the_export_of_a_grid_worker_is_unmasked_and_audited(tree, people, login):
    response = login(people.grid_a).get(reverse("people:export"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert tree.person_a.id_number in body and "李娜" not in body
    assert AuditEntry.objects.get(action=AuditAction.EXPORT).detail["unmasked"] is True


def test_english_is_available(tree, people, login):
    client = login(people.grid_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = client.get(reverse("people:region", args=[tree.grid_a.code])).content.decode()
    assert "Buildings" in text and "residents" in text


def test_a_child_turns_adult_by_the_calendar_not_by_a_stored_flag(tree):
    born = dt.date.today().replace(year=dt.date.today().year - 20)
    grown = make_person(tree.grid_a, name="成年", birth_on=born)
    assert grown.is_child is False and tree.child_a.is_child is True


def test_region_counts_are_kept_a_few_minutes_and_say_when_they_were_counted(tree, people, login):
    from django.core.cache import cache

    client = login(people.street)
    url = reverse("people:region", args=[tree.street.code])
    first = client.get(url).content.decode()
    assert "<b>3</b> 居民" in first and "统计于" in first
    make_person(tree.grid_b, name="新来的")
    assert "<b>3</b> 居民" in client.get(url).content.decode()
    cache.clear()  # what the passing minutes do
    assert "<b>4</b> 居民" in client.get(url).content.decode()


def test_the_grid_lists_its_residents_without_a_building(tree, people, login):
    rural = get_or_create_household(grid=tree.grid_a, address="张家村3组12号")
    make_person(tree.grid_a, name="农户", household=rural)
    make_person(tree.grid_a, name="流动", household=None)
    client = login(people.grid_a)
    grid = client.get(reverse("people:region", args=[tree.grid_a.code])).content.decode()
    assert "2 名居民无楼栋" in grid and "unhoused=1" in grid
    text = client.get(reverse("people:search"), {"region": tree.grid_a.code, "unhoused": "1"})
    names = {n for n in ("农户", "流动", "张伟") if n in text.content.decode()}
    assert names == {"农户", "流动"}


def test_pages_open_in_chinese_whatever_the_browser_asks(tree, people, login):
    client = login(people.grid_a)
    url = reverse("people:region", args=[tree.grid_a.code])
    text = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "楼栋" in text and "Buildings" not in text


def test_doors_are_listed_floor_by_floor(tree, people, login):
    for door in ("1001", "201", "102"):
        get_or_create_household(grid=tree.grid_a, building=tree.building_a, unit="1", door=door)
    text = login(people.grid_a).get(reverse("people:building", args=[tree.building_a.pk]))
    text = text.content.decode()
    positions = [text.index(f" {d}</b>") for d in ("101", "102", "201", "1001")]
    assert positions == sorted(positions)


def test_buildings_are_listed_in_number_order(tree, people, login):
    from fangkong.regions.services import get_or_create_building

    for name in ("10栋", "2栋"):
        get_or_create_building(grid=tree.grid_a, name=name)
    text = login(people.grid_a).get(reverse("people:region", args=[tree.grid_a.code]))
    text = text.content.decode()
    positions = [text.index(f"<b>{n}</b>") for n in ("1栋", "2栋", "10栋")]
    assert positions == sorted(positions)


def _merged(tree, people):
    from fangkong.people.services import do_merge_persons

    dup = make_person(
        tree.grid_a, name="张伟", id_type="passport", id_number="E99887766", phone="13911112222"
    )
    do_merge_persons(user=people.grid_a, keep=tree.person_a, drop=dup)
    return dup


@pytest.mark.parametrize("who", ["hq", "street", "grid_a"])
def test_a_merge_shows_its_source_masked_and_puts_no_number_in_the_notes(tree, people, login, who):
    dup = _merged(tree, people)
    tree.person_a.refresh_from_db()
    assert dup.id_number not in tree.person_a.notes
    text = login(getattr(people, who)).get(reverse("people:person", args=[tree.person_a.pk]))
    text = text.content.decode()
    assert "由 1 条记录合并而来" in text and "*****7766" in text
    assert dup.id_number not in text and "13911112222" not in text
    export = login(getattr(people, who)).get(
        reverse("people:ledger_export") + f"?region={tree.grid_a.code}"
    )
    assert dup.id_number.encode() not in export.content


def test_the_merged_record_is_read_in_full_only_through_the_audited_reveal(tree, people, login):
    dup = _merged(tree, people)
    response = login(people.grid_a).post(reverse("people:reveal", args=[tree.person_a.pk]))
    assert dup.id_number in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditAction.VIEW_UNMASKED)
    assert entry.object_id == str(tree.person_a.pk)
    merge = AuditEntry.objects.get(action=AuditAction.MERGE)
    assert merge.detail["merge"] == tree.person_a.merges.get().pk
    assert dup.id_number not in str(merge.detail)


def test_old_merge_notes_become_merged_records_without_the_number(tree, people):
    import importlib

    from django.apps import apps

    from fangkong.accounts.services import record_audit
    from fangkong.people.models import Person

    number = "430102199804090005"
    Person.objects.filter(pk=tree.person_a.pk).update(
        notes=f"行动不便\n由 朱秀（居民身份证 {number}）合并而来\n"
        "merged from Zhu, Passport E1234567"
    )
    record_audit(
        user=people.grid_a,
        action=AuditAction.MERGE,
        object_type="person",
        object_id=tree.person_a.pk,
        detail={"kept": tree.person_a.pk, "dropped": 77, "dropped_document": "4301**********0005"},
    )
    migration = importlib.import_module("fangkong.people.migrations.0005_merge_notes_to_records")
    migration.forwards(apps, None)
    tree.person_a.refresh_from_db()
    assert tree.person_a.notes == "行动不便"
    merges = list(tree.person_a.merges.order_by("id"))
    assert [(m.name, m.id_type, m.id_number) for m in merges] == [
        ("朱秀", "resident_id", number),
        ("Zhu", "passport", "E1234567"),
    ]
    assert (merges[0].dropped_id, merges[0].merged_by, merges[0].birth_on) == (
        77,
        people.grid_a,
        dt.date(1998, 4, 9),
    )
