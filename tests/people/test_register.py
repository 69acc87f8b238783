import datetime as dt

import pytest

from fangkong.common.idnumbers import make
from fangkong.people.choices import IdType
from fangkong.people.services import PersonInvalid, check_register_person


def test_a_resident_id_gives_birth_date_and_sex(tree):
    number = make("430102", dt.date(1990, 2, 3), 12)
    person = check_register_person(
        name=" 刘 洋 ",
        id_type=IdType.RESIDENT_ID,
        id_number=number.lower(),
        grid=tree.grid_a,
        phone="+86 139-0000-1111",
        tags=["returnee"],
    )
    person.refresh_from_db()
    assert (person.name, person.birth_on, person.sex) == ("刘 洋", dt.date(1990, 2, 3), "F")
    assert person.phone == "13900001111"
    assert person.region_path == tree.grid_a.path
    assert [t.kind for t in person.tags.all()] == ["returnee"]


def test_every_bad_field_is_named_at_once_and_nothing_is_written(tree):
    before = tree.grid_a.persons.count()
    with pytest.raises(PersonInvalid) as err:
        check_register_person(
            name="",
            id_type=IdType.RESIDENT_ID,
            id_number="430102199002030121",
            grid=tree.community_a,
            phone="12345",
            tags=["vip"],
        )
    assert set(err.value.errors) == {"name", "id_number", "grid", "phone", "tags"}
    assert "check digit" in err.value.errors["id_number"]
    assert tree.grid_a.persons.count() == before


def test_a_document_is_registered_once(tree):
    with pytest.raises(PersonInvalid) as err:
        check_register_person(
            name="重复",
            id_type=tree.person_a.id_type,
            id_number=tree.person_a.id_number,
            grid=tree.grid_a,
        )
    assert "already registered" in err.value.errors["id_number"]


def test_a_passport_is_checked_by_passport_rules_not_id_card_rules(tree):
    person = check_register_person(
        name="John Smith",
        id_type=IdType.PASSPORT,
        id_number="e 1234 5678",
        grid=tree.grid_a,
        birth_on=dt.date(1985, 1, 1),
        sex="M",
    )
    assert person.id_number == "E12345678" and person.birth_on == dt.date(1985, 1, 1)
    with pytest.raises(PersonInvalid, match="5 to 30"):
        check_register_person(name="X", id_type=IdType.PASSPORT, id_number="E1", grid=tree.grid_a)


def test_the_database_refuses_a_second_person_with_the_same_document(tree):
    from django.db import IntegrityError, transaction

    from tests.conftest import make_person

    with pytest.raises(IntegrityError), transaction.atomic():
        make_person(tree.grid_b, id_number=tree.person_a.id_number)


def test_messages_speak_chinese_by_default(tree):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(PersonInvalid) as err:
        check_register_person(
            name="", id_type=IdType.RESIDENT_ID, id_number="430102199002030121", grid=tree.grid_a
        )
    assert err.value.errors == {
        "name": "缺少姓名",
        "id_number": "身份证号校验位错误（为 1，应为 3）",
    }
