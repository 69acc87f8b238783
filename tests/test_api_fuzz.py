"""Every operation of the API's OpenAPI document, fuzzed by schemathesis through Django's WSGI
app in-process, as a grid worker (a bearer token from ``POST /api/v1/auth/token``), as the
city's headquarters officer, and anonymously: no answer is a 5xx, and every answer has a status
the operation declares and a body that matches its schema.

Examples are bounded and derandomized, so a run is the same on every machine and takes about a
minute; the tree of tests/conftest.py gives the fuzzer ids and codes that exist, so it reaches
past the 404s.
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from fangkong.common.idnumbers import make as make_id_number
from fangkong.common.params import MAX_ID

from .conftest import PASSWORD

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Parameters and body fields that name a region or a row: the fuzzer's own value, or a real one.
REAL_VALUES = {
    "codes": ("code", "region", "grid", "parent"),
    "ids": ("household", "person_id"),
    "documents": ("id_number",),
}


@pytest.fixture
def _in_process_requests():
    """Keep the test's database connection across the WSGI app's requests, as Django's test
    client does (its request signals would otherwise close the connection mid-transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _real_or_fuzzed(values: dict) -> st.SearchStrategy:
    options = [st.just(values)]
    for kind, names in REAL_VALUES.items():
        real = REAL[kind]
        for name in (n for n in names if n in values and real):
            options.append(st.sampled_from(real).map(lambda v, n=name: {**values, n: v}))
    return st.one_of(options)


from fangkong.wsgi import application  # noqa: E402

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
# What exists in this test's tree, filled in by ``seeded`` before any case is generated.
REAL: dict[str, list] = {kind: [] for kind in REAL_VALUES}


@pytest.fixture
def seeded(tree, people, _in_process_requests):
    REAL["codes"] = [tree.grid_a.code, tree.community_a.code, tree.city.code, tree.grid_c.code]
    REAL["ids"] = [tree.person_a.pk, tree.household_a.pk, tree.person_c.pk]
    REAL["documents"] = [make_id_number("430102", dt.date(1990, 1, 1), n) for n in (31, 33, 35)]
    yield
    REAL.update({kind: [] for kind in REAL_VALUES})


@schema.hook
def flatmap_path_parameters(ctx, path_parameters):
    return _real_or_fuzzed(path_parameters or {})


@schema.hook
def flatmap_query(ctx, query):
    return _real_or_fuzzed(query or {})


@schema.hook
def flatmap_body(ctx, body):
    return _real_or_fuzzed(body) if isinstance(body, dict) else st.just(body)


def _bearer(username: str) -> dict[str, str]:
    """A token from ``POST /api/v1/auth/token``, asked through the same WSGI app."""
    response = Client(application).post(
        "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {response.json['token']}"}


@pytest.fixture
def as_grid_worker(seeded) -> dict[str, str]:
    return _bearer("grid_a")


@pytest.fixture
def as_headquarters(seeded) -> dict[str, str]:
    return _bearer("hq")


bounded = settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@bounded
def test_a_grid_worker_gets_no_server_error_and_only_declared_answers(case, as_grid_worker):
    case.call_and_validate(headers=as_grid_worker, checks=CHECKS)


@schema.parametrize()
@bounded
def test_headquarters_gets_no_server_error_and_only_declared_answers(case, as_headquarters):
    case.call_and_validate(headers=as_headquarters, checks=CHECKS)


@schema.parametrize()
@bounded
def test_an_anonymous_caller_gets_no_server_error_and_only_declared_answers(case, seeded):
    case.call_and_validate(checks=CHECKS)


def _integers_in(node, where: str, schemas: dict):
    """Each integer schema under ``node``, following $refs into ``schemas``."""
    if isinstance(node, list):
        for item in node:
            yield from _integers_in(item, where, schemas)
        return
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        yield from _integers_in(schemas[node["$ref"].rsplit("/", 1)[1]], where, schemas)
    if node.get("type") == "integer":
        yield where, node
    for key, value in node.items():
        yield from _integers_in(value, f"{where}.{key}", schemas)


def _integers_read(doc: dict):
    """Every integer in a request: each parameter, and each body field."""
    schemas = doc["components"]["schemas"]
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            for p in op.get("parameters", []):
                yield from _integers_in(p["schema"], f"{where} {p['name']}", schemas)
            yield from _integers_in(op.get("requestBody", {}), f"{where} body", schemas)


def test_every_integer_the_api_reads_declares_a_bound_the_database_holds():
    """A bound in the schema is what lets the fuzzer's negative cases reach past it; an
    unbounded integer is how 2**63 used to reach the database."""
    unbounded = [
        where
        for where, node in _integers_read(schema.raw_schema)
        if not (
            node.get("minimum", -MAX_ID) >= -MAX_ID and node.get("maximum", MAX_ID + 1) <= MAX_ID
        )
    ]
    assert unbounded == []
