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
