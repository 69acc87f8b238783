"""Every form of the main pages, posted with hostile values as each persona: never a 500.

The schemathesis run (tests/test_api_fuzz.py) covers the API; the HTML pages read request
input themselves (`int(`, dates, uuids, temperatures). Each persona opens every page of the
scope matrix (and the home and password pages), and every POST form found there is sent with
each field set to each hostile value at once, then with one field hostile and the others as
the form had them.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from .matrix.common import ALL
from .test_scope_matrix import MATRIX

HOSTILE = [str(2**63), "NaN", "", "9" * 10_000, "甲" * 10_000, "０", "-1", "1e309"]
EXTRA_PAGES = ["people:home", "accounts:password_change"]


class _Forms(HTMLParser):
    """The forms of a page: (method, action, {field: value as the page set it})."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, str]]] = []
        self._open: tuple[str, str, dict[str, str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            method = "post" if a.get("hx-post") else (a.get("method") or "get").lower()
            self._open = (method, a.get("hx-post") or a.get("action") or "", {})
            return
        if self._open is not None and tag in ("input", "select", "textarea", "button"):
            name = a.get("name")
            if name and name != "csrfmiddlewaretoken" and a.get("type") != "file":
                self._open[2].setdefault(name, a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form" and self._open is not None:
            self.forms.append(self._open)
            self._open = None


def _pages(tree) -> list[str]:
    from .matrix.health import _case_id

    urls = [reverse(name) for name in EXTRA_PAGES]
    # the forms that appear once a person is found: report a case, add a contact
    urls.append(reverse("health:cases") + f"?region={tree.grid_a.code}&q=张")
    urls.append(reverse("health:case", args=[_case_id(tree)]) + "?q=张")
    for endpoint in MATRIX.values():
        if endpoint.method == "get" and not endpoint.body:
            url = endpoint.url(tree)
            if not url.startswith("/api/") and "export" not in url:
                urls.append(url)
    return urls


def _forms_on(client, urls) -> dict[tuple[str, str, tuple[str, ...]], dict[str, str]]:
    found = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or response.streaming:
            continue
        if "html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        for method, action, fields in parser.forms:
            target = urljoin(url, action) if action else url
            if target.startswith(reverse("accounts:logout")):
                continue  # it would end the persona's session for the forms after it
            found.setdefault((method, target, tuple(sorted(fields))), fields)
    return found


@pytest.mark.parametrize("persona", ALL)
def test_hostile_values_in_every_form_field_are_never_a_server_error(persona, tree, people, login):
    for setup in {e.setup for e in MATRIX.values() if e.setup}:
        try:
            with transaction.atomic():
                setup(tree)
        except IntegrityError:  # what another row's setup made already (one case a person)
            pass
    client = login(people[persona])
    forms = _forms_on(client, _pages(tree))
    errors = []
    for (method, target, names), defaults in forms.items():
        bodies = [{n: v for n in names} for v in HOSTILE]
        bodies += [{**defaults, n: v} for n in names for v in HOSTILE[:3]]
        for body in bodies:
            response = getattr(client, method)(
                target.split("?")[0] if method == "get" else target, body
            )
            if response.status_code >= 500:
                errors.append((method, target, {k: v[:20] for k, v in body.items()}))
    assert forms, "the persona's pages have no forms: the test reaches nothing"
    assert errors == []


def test_hostile_values_on_the_residents_page_are_never_a_server_error(client, tree, people):
    from .health.test_resident import Block, prove

    block = Block(tree, people.grid_a)
    proof_page = client.get(block.url + "?unit=1&door=101")
    household_page = prove(client, block)
    errors = []
    for page in (proof_page, household_page):
        parser = _Forms()
        parser.feed(page.content.decode())
        forms = [f for f in parser.forms if f[0] == "post"]
        assert forms
        for _method, action, defaults in forms:
            target = urljoin(block.url, action) if action else block.url
            keep = {"action": defaults.get("action", ""), "h": defaults.get("h", "")}
            bodies = [{**{n: v for n in defaults}, **keep} for v in HOSTILE]
            bodies += [{**defaults, n: v} for n in defaults for v in HOSTILE[:4]]
            for body in bodies:
                if client.post(target, body).status_code >= 500:
                    errors.append({k: v[:20] for k, v in body.items()})
    assert errors == []
