"""Every role against every list, detail, export and API endpoint (rows in tests/matrix/).

The subject is always something in grid A (张伟, his household, building and grid). The last
test walks the URL configuration: an endpoint added without a row fails the suite.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import AuditEntry

from .matrix import (
    assistance,
    beds,
    donations,
    funds,
    health,
    registry,
    reports,
    requisitions,
    screening,
    screening_lab,
    supplies,
)
from .matrix import volunteers as volunteers_rows
from .matrix.common import ALL, UNMASKERS, Endpoint

MATRIX: dict[str, Endpoint] = {
    **registry.ROWS,
    **health.ROWS,
    **reports.ROWS,
    **screening.ROWS,
    **supplies.ROWS,
    **screening_lab.ROWS,
    **donations.ROWS,
    **requisitions.ROWS,
    **assistance.ROWS,
    **volunteers_rows.ROWS,
    **beds.ROWS,
    **funds.ROWS,
}
# Not personal data, or the way in: answered for anyone (checked elsewhere).
EXEMPT = {
    "people:home",
    "accounts:login",
    "accounts:logout",
    "set_language",
    "api:openapi-json",
    "api:openapi-view",
    "api:api-root",
    "api:create_token",
    # any /api/ address that names no operation: the same JSON 404 for everyone
    "api:no_such_operation",
    # residents' QR page: no account, a signed link (tests/health/test_resident.py)
    "health:resident",
    # asking for help from the QR page and following it: the same signed link
    # (tests/assistance/test_resident.py)
    "assistance:resident_help",
    "assistance:resident_status",
    # the recruiting link: no account, a signed link (tests/volunteers/test_pages.py)
    "volunteers:apply",
    # the user's own password, and the site's icon (tests/test_frame.py)
    "accounts:password_change",
    "accounts:password_change_done",
    "favicon",
    # where donations went, for donors and the public: no login, no person named
    # (tests/supplies/test_donations.py)
    "supplies:public_donations",
    "supplies:public_donation",
}


def _names(resolver=None, ns=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            yield from _names(p, f"{ns}{p.namespace}:" if p.namespace else ns)
        elif isinstance(p, URLPattern):
            yield f"{ns}{p.name}"


def _call(client, endpoint: Endpoint, tree):
    if endpoint.body and endpoint.form:
        return getattr(client, endpoint.method)(endpoint.url(tree), endpoint.body(tree))
    if endpoint.body:
        return getattr(client, endpoint.method)(
            endpoint.url(tree), endpoint.body(tree), content_type="application/json"
        )
    return getattr(client, endpoint.method)(endpoint.url(tree))


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("name", list(MATRIX))
def test_scope_matrix(name, persona, tree, people, login):
    endpoint = MATRIX[name]
    if endpoint.setup:
        endpoint.setup(tree)
    expected = endpoint.expect(persona)
    response = _call(login(people[persona]), endpoint, tree)
    if expected in ("shown", "hidden"):
        assert response.status_code == 200, response.content[:300]
        body = b"".join(response.streaming_content) if response.streaming else response.content
        present = endpoint.shown(tree).encode() in body
        assert present is (expected == "shown")
        # never anything from the other district, whoever asks
        assert "王芳".encode() not in body or persona == "hq"
    else:
        assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("name", list(MATRIX))
def test_anonymous_callers_are_sent_to_log_in_or_refused(name, tree, people, client):
    if MATRIX[name].setup:
        MATRIX[name].setup(tree)
    response = _call(client, MATRIX[name], tree)
    if name.startswith("api:"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_every_endpoint_is_in_the_matrix():
    names = set(_names())
    covered = {n.split("?")[0] for n in MATRIX} | EXEMPT
    assert names - covered == set(), "add these endpoints to the scope matrix"


@pytest.mark.parametrize("persona", sorted(UNMASKERS))
def test_every_unmasked_view_is_audited(persona, tree, people, login):
    client = login(people[persona])
    client.post(reverse("people:reveal", args=[tree.person_a.pk]))
    client.get(reverse("api:get_person", args=[tree.person_a.pk]) + "?unmasked=true")
    entries = AuditEntry.objects.filter(action=AuditAction.VIEW_UNMASKED, username=persona)
    assert entries.count() == 2
    assert {e.object_id for e in entries} == {str(tree.person_a.pk)}
    assert all(e.ip == "127.0.0.1" for e in entries)
