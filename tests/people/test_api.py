from django.urls import reverse

from ..conftest import make_person


def test_persons_are_paged_without_counting_the_city(tree, people, login):
    for i in range(60):
        make_person(tree.grid_a, name=f"赵{i:02d}")
    client = login(people.grid_a)
    first = client.get(reverse("api:list_persons"), {"q": "赵"}).json()
    second = client.get(reverse("api:list_persons"), {"q": "赵", "page": 2}).json()
    assert (len(first["items"]), first["has_next"]) == (50, True)
    assert (len(second["items"]), second["has_next"]) == (10, False)
    assert first["items"][0]["id_number"].count("*") == 10


def test_filters_by_region_tag_and_household(tree, people, login):
    client = login(people.hq)
    url = reverse("api:list_persons")
    by_region = client.get(url, {"region": tree.grid_b.code}).json()["items"]
    assert [p["name"] for p in by_region] == ["李娜"]
    by_tag = client.get(url, {"tag": "elderly_alone"}).json()["items"]
    assert [p["name"] for p in by_tag] == ["张伟"]
    by_household = client.get(url, {"household": tree.household_a.pk}).json()["items"]
    assert {p["name"] for p in by_household} == {"张伟", "张小明"}
    assert by_household[0]["household"] == "1栋 1单元 101"


def test_bad_input_is_named(tree, people, login):
    client = login(people.hq)
    r = client.get(reverse("api:list_persons"), {"tag": "vip"})
    assert r.status_code == 422 and "tag" in r.content.decode()
    r = client.get(reverse("api:list_persons"), {"q": "12"})
    assert r.status_code == 422 and "4" in r.json()["detail"]
    r = client.get(reverse("api:list_persons"), {"region": "999999"})
    assert r.status_code == 404


def test_the_region_summary_counts_each_child(tree, people, login):
    body = login(people.street).get(reverse("api:region_summary", args=[tree.street.code])).json()
    assert body["total"]["residents"] == 3 and body["total"]["children"] == 1
    assert {c["code"]: c["residents"] for c in body["children"]} == {
        tree.community_a.code: 2,
        tree.community_b.code: 1,
    }
    assert body["total"]["tags"] == {"elderly_alone": 1}


def test_regions_list_is_the_scope_subtree(tree, people, login):
    body = login(people.community).get(reverse("api:list_regions")).json()
    assert [r["code"] for r in body["items"]] == [tree.community_a.code, tree.grid_a.code]


def test_a_masked_caller_gets_the_birth_year_never_the_date_or_age(tree, people, login):
    client = login(people.district)
    body = client.get(reverse("api:get_person", args=[tree.person_a.pk])).json()
    assert (body["birth_on"], body["age"], body["birth_year"]) == (None, None, 1940)
    listed = client.get(reverse("api:list_persons"), {"q": "张伟"}).json()["items"][0]
    assert (listed["birth_on"], listed["age"], listed["birth_year"]) == (None, None, 1940)
    assert "1940-03-08" not in str(listed)


def test_a_reveal_gives_the_birth_date(tree, people, login):
    client = login(people.grid_a)
    url = reverse("api:get_person", args=[tree.person_a.pk])
    assert client.get(url).json()["birth_on"] is None
    assert client.get(url, {"unmasked": "true"}).json()["birth_on"] == "1940-03-08"


def test_persons_cannot_be_filtered_or_ordered_by_birth_date(tree, people, login):
    """Halving a date range and watching who stays would tell the date, one bit at a time."""
    client = login(people.hq)
    url = reverse("api:list_persons")
    plain = client.get(url).json()["items"]
    for params in (
        {"birth_on": "1940-03-08"},
        {"birth_on__gte": "1940-01-01"},
        {"birth_after": "1940-03-01"},
        {"order_by": "birth_on"},
        {"ordering": "-birth_on"},
        {"sort": "age"},
    ):
        assert client.get(url, params).json()["items"] == plain, params


def test_a_masked_caller_cannot_search_by_more_digits_than_the_mask_shows(tree, people, login):
    client = login(people.street)
    url = reverse("api:list_persons")
    five = client.get(url, {"q": tree.person_a.id_number[-5:]})
    assert five.status_code == 422 and "4" in five.json()["detail"]
    four = client.get(url, {"q": tree.person_a.id_number[-4:]}).json()["items"]
    assert [p["name"] for p in four] == ["张伟"]
    assert client.get(url, {"q": tree.person_a.id_number}).status_code == 422


def test_a_short_document_is_not_found_by_digits_its_mask_hides(tree, people, login):
    make_person(tree.grid_a, name="短证", id_type="other", id_number="AB1234")
    items = login(people.hq).get(reverse("api:list_persons"), {"q": "1234"}).json()["items"]
    assert "短证" not in [p["name"] for p in items]
