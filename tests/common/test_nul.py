"""A NUL character (\\x00) anywhere in a request is refused once for the whole site with a
400 that says so: PostgreSQL text cannot hold one, so it was a 500 on every text field."""

import io
import uuid

import pytest
from django.urls import reverse

from fangkong.people.models import Person


def refused(response):
    return response.status_code == 400 and "NUL" in response.content.decode()


def test_a_nul_in_a_query_string_is_refused(tree, people, login):
    client = login(people.hq)
    assert refused(client.get(reverse("api:list_persons"), {"q": "李\x00"}))
    assert refused(client.get(reverse("people:search"), {"q": "李\x00"}))


def test_a_nul_in_a_path_is_refused(tree, people, login):
    assert refused(login(people.hq).get("/api/v1/regions/4301%00"))


@pytest.mark.parametrize("name", ["张\\u0000三", "张\\\\\\u0000三"])
def test_a_json_nul_escape_in_an_api_body_is_refused(tree, people, login, name):
    body = f'{{"name": "{name}", "id_number": "E12345678", "id_type": "passport", '
    body += f'"grid": "{tree.grid_a.code}"}}'
    response = login(people.grid_a).post(
        reverse("api:create_person"), body, content_type="application/json"
    )
    assert refused(response) and response.json()["detail"]
    assert not Person.objects.filter(id_number="E12345678").exists()


def test_an_escaped_backslash_before_u0000_is_only_text(tree, people, login):
    body = '{"name": "张\\\\u0000三", "id_number": "E12345678", "id_type": "passport", '
    body += f'"grid": "{tree.grid_a.code}"}}'
    response = login(people.grid_a).post(
        reverse("api:create_person"), body, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["name"] == "张\\u0000三"


def test_a_nul_in_a_form_field_is_refused(tree, people, login):
    url = reverse("people:new") + f"?household={tree.household_a.pk}"
    response = login(people.grid_a).post(
        url, {"name": "张\x00三", "id_type": "passport", "id_number": "E12345678"}
    )
    assert refused(response)
    assert not Person.objects.filter(id_number="E12345678").exists()


def test_a_nul_in_a_multipart_field_is_refused_but_not_in_the_file(tree, people, login):
    client = login(people.grid_a)
    url = reverse("api:import_ledger_file")
    sheet = io.BytesIO(b"PK\x03\x04\x00\x00binary")
    sheet.name = "ledger.xlsx"
    assert not refused(client.post(url, {"file": sheet, "region": tree.grid_a.code}))
    sheet.seek(0)
    assert refused(client.post(url, {"file": sheet, "region": "4301\x00"}))


def test_a_nul_in_a_cookie_or_header_is_refused(tree, people, client):
    client.cookies["sessionid"] = "abcdefgh\x00"
    assert refused(client.get(reverse("people:home")))
    assert refused(
        client.get(reverse("api:list_regions"), headers={"Authorization": "Bearer a\x00b"})
    )


def test_pages_get_text_and_the_api_gets_json(tree, people, login):
    client = login(people.hq)
    page = client.get(reverse("people:search"), {"q": "\x00"}, headers={"Accept": "text/html"})
    assert page["Content-Type"].startswith("text/plain")
    api = client.get(reverse("api:list_persons"), {"q": "\x00"})
    assert "NUL" in api.json()["detail"]


def test_a_check_in_batch_with_a_nul_symptom_stores_nothing(tree, people, login):
    record = {
        "client_id": str(uuid.uuid4()),
        "person_id": tree.person_a.pk,
        "temperature": "36.6",
        "source": "im\x00port",
    }
    response = login(people.grid_a).post(
        reverse("api:post_check_ins"), {"records": [record]}, content_type="application/json"
    )
    assert refused(response)
