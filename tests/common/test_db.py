"""``field__any``: the same rows as ``__in``, whatever the database."""

from fangkong.people.models import Person
from fangkong.regions.models import Region


def test_any_finds_what_in_finds_for_text_ids_and_keys(tree):
    codes = [tree.grid_a.code, tree.grid_c.code, "no-such-code"]
    assert set(Region.objects.filter(code__any=codes)) == {tree.grid_a, tree.grid_c}
    ids = [tree.person_a.pk, tree.person_c.pk, 10**9]
    assert set(Person.objects.filter(pk__any=ids)) == {tree.person_a, tree.person_c}
    by_grid = Person.objects.filter(grid_id__any=[tree.grid_b.pk])
    assert list(by_grid) == list(Person.objects.filter(grid_id__in=[tree.grid_b.pk]))


def test_any_of_nothing_is_nothing_and_can_be_negated(tree):
    assert not Region.objects.filter(code__any=[]).exists()
    everyone = Person.objects.count()
    assert Person.objects.exclude(pk__any=[tree.person_a.pk]).count() == everyone - 1


def test_any_updates_the_rows_it_names(tree):
    done = Person.objects.filter(pk__any=[tree.person_a.pk, tree.person_b.pk]).update(phone="")
    assert done == 2
    assert Person.objects.get(pk=tree.person_c.pk).phone == "13700001111"
