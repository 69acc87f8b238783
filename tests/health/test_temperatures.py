"""One temperature rule on every path: API, quick entry, resident page, file import, checkpoint.

``NaN`` used to be a 500 (a NaN compared with the range raises ``InvalidOperation``); infinity
and ``1e309`` were refused without saying what is allowed. Each path now refuses non-finite and
out-of-range values with the range in the message, and takes full-width digits as typed by a
Chinese input method.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from fangkong.accounts.scope import scope_of
from fangkong.common.temperatures import TemperatureInvalid, parse_temperature
from fangkong.health.imports import import_check_ins
from fangkong.health.models import CheckIn, Passage
from fangkong.health.services import check_create_checkpoint

from .test_resident import block, key, prove, token_in  # noqa: F401  (the block fixture)

HOSTILE = ["NaN", "nan", "sNaN", "Infinity", "-inf", "1e309", "3.65e1", "36,5", "45", "34.9", ""]
FULL_WIDTH = {"3６.5": Decimal("36.5"), "３６．５": Decimal("36.5"), " 37.25 ": Decimal("37.2")}


@pytest.mark.parametrize("typed", [v for v in HOSTILE if v])
def test_a_non_finite_or_out_of_range_temperature_is_refused_naming_the_range(typed):
    with pytest.raises(TemperatureInvalid, match="35.0.*42.0"):
        parse_temperature(typed)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), Decimal("-Inf")])
def test_non_finite_numbers_from_json_or_code_are_refused_too(value):
    with pytest.raises(TemperatureInvalid, match="35.0.*42.0"):
        parse_temperature(value)


@pytest.mark.parametrize(("typed", "read"), FULL_WIDTH.items())
def test_full_width_digits_and_points_read_as_typed(typed, read):
    assert parse_temperature(typed) == read


@given(st.one_of(st.text(max_size=12), st.floats(), st.decimals(), st.integers()))
def test_any_input_is_a_temperature_in_range_or_a_refusal_naming_the_range(value):
    try:
        t = parse_temperature(value)
    except TemperatureInvalid as e:
        assert "35.0" in str(e) and "42.0" in str(e)
    else:
        assert t.is_finite() and Decimal("35.0") <= t <= Decimal("42.0")
        assert t == t.quantize(Decimal("0.1"))


def test_the_api_refuses_each_bad_temperature_per_record_with_the_range(tree, people, login):
    records = [
        {"client_id": str(uuid.uuid4()), "person_id": tree.person_a.pk, "temperature": t}
        for t in [*HOSTILE, "3６.5"]
    ]
    response = login(people.grid_a).post(
        reverse("api:post_check_ins"), {"records": records}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["index"] for r in body["rejected"]] == list(range(len(HOSTILE)))
    assert all("42.0" in r["errors"]["temperature"] for r in body["rejected"])
    assert list(CheckIn.objects.values_list("temperature", flat=True)) == [Decimal("36.5")]


@pytest.mark.parametrize("number", ["1e309", "-1e309"])
def test_a_json_number_too_large_for_a_float_is_refused_not_a_crash(tree, people, login, number):
    person = tree.person_a.pk
    record = f'{{"client_id": "{uuid.uuid4()}", "person_id": {person}, "temperature": {number}}}'
    body = f'{{"records": [{record}]}}'
    response = login(people.grid_a).post(
        reverse("api:post_check_ins"), body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert "42.0" in response.json()["rejected"][0]["errors"]["temperature"]
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("typed", ["NaN", "Infinity", "-inf", "1e309"])
def test_quick_entry_refuses_a_non_finite_temperature_and_says_the_range(
    tree, people, login, typed
):
    url = reverse("health:quick_entry", args=[tree.building_a.pk]) + "?unit=1"
    client = login(people.grid_a)
    page = client.post(url, {f"t{tree.person_a.pk}": typed, f"t{tree.child_a.pk}": "3６.5"})
    # quick entry answers 400 for a save with a bad reading: the good one stored, the bad one
    # kept as typed with the allowed range
    assert page.status_code == 400
    assert list(CheckIn.objects.values_list("person_id", flat=True)) == [tree.child_a.pk]
    assert "42.0" in page.content.decode()


@pytest.mark.parametrize("typed", ["NaN", "Infinity", "-inf", "1e309"])
def test_the_resident_page_refuses_a_non_finite_temperature_and_keeps_it(client, block, typed):  # noqa: F811
    h = token_in(prove(client, block).content.decode())
    f, s = key(block, block.father), key(block, block.son)
    page = client.post(block.url, {"action": "report", "h": h, f"t-{f}": "3６.5", f"t-{s}": typed})
    assert page.status_code == 200
    text = page.content.decode()
    assert "42.0" in text and f'value="{typed}"' in text
    assert list(CheckIn.objects.values_list("person_id", flat=True)) == [block.father.pk]


def test_a_check_in_file_refuses_non_finite_rows_with_the_range(tree):
    rows = ["证件号码,体温"] + [f"{tree.person_a.id_number},{t}" for t in HOSTILE[:6]]
    rows.append(f"{tree.person_a.id_number},３６．８")
    result = import_check_ins(data="\n".join(rows).encode(), filename="c.csv")
    assert result.created == 1 and len(result.rejected) == 6
    assert all("42.0" in reason for _n, reason in result.rejected)


@pytest.mark.parametrize("typed", ["NaN", "Infinity", "-inf", "1e309"])
def test_a_checkpoint_refuses_a_non_finite_temperature_and_says_the_range(
    tree, people, login, typed
):
    user = people.volunteer
    point = check_create_checkpoint(
        scope=scope_of(user),
        region=tree.grid_a,
        name="东门",
        opens_at=dt.time(7),
        closes_at=dt.time(22),
    )
    url = reverse("health:checkpoint", args=[point.pk])
    body = {"client_id": str(uuid.uuid4()), "direction": "in", "outcome": "allowed"}
    page = login(user).post(url, {**body, "temperature": typed})
    assert page.status_code == 200 and "42.0" in page.content.decode()
    assert not Passage.objects.exists()
