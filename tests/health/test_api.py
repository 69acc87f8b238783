"""The batch check-in API."""

import uuid

from django.urls import reverse

from fangkong.health.models import CheckIn


def post(client, records):
    return client.post(
        reverse("api:post_check_ins"), {"records": records}, content_type="application/json"
    )


def rec(person, **kw):
    return {"client_id": str(uuid.uuid4()), "person_id": person.pk, "temperature": "36.6", **kw}


def test_a_batch_stores_good_records_lists_bad_ones_and_retries_change_nothing(tree, people, login):
    client = login(people.community)
    records = [
        rec(tree.person_a),
        rec(tree.child_a, temperature="38.9"),
        rec(tree.person_a, temperature="43"),
        rec(tree.person_b),  # grid B: outside the community
        rec(tree.person_a, symptoms=["headache"]),
    ]
    body = post(client, records).json()
    assert (body["created"], body["alerts"]) == (2, 1)
    assert [r["index"] for r in body["rejected"]] == [2, 3, 4]
    assert set(body["rejected"][0]["errors"]) == {"temperature"}
    again = post(client, records).json()
    assert (again["created"], again["duplicates"]) == (0, 2)
    assert CheckIn.objects.count() == 2


def test_more_than_a_thousand_records_are_refused(tree, people, login):
    response = post(login(people.community), [rec(tree.person_a) for _ in range(1001)])
    assert response.status_code == 422 and not CheckIn.objects.exists()


def test_the_missing_list_and_alerts_are_in_the_api(tree, people, login):
    client = login(people.grid_a)
    post(client, [rec(tree.person_a, temperature="38.0")])
    alerts = client.get(reverse("api:list_alerts") + f"?region={tree.grid_a.code}").json()
    assert [a["person_id"] for a in alerts] == [tree.person_a.pk]
    missing = client.get(reverse("api:list_missing", args=[tree.grid_a.code])).json()
    assert missing == []  # nobody under watch, no universal reporting


def test_a_large_batch_is_stored_once_with_its_alerts(tree, people, login):
    """Large batches take the staging path on PostgreSQL: same answers as small ones."""
    client = login(people.community)
    records = [rec(tree.person_a) for _ in range(70)] + [rec(tree.child_a, temperature="39.0")]
    body = post(client, records).json()
    assert (body["created"], body["alerts"], body["rejected"]) == (71, 1, [])
    again = post(client, records).json()
    assert (again["created"], again["duplicates"], again["alerts"]) == (0, 71, 0)
    assert CheckIn.objects.count() == 71
    assert CheckIn.objects.filter(temperature="39.0").get().symptoms == []
