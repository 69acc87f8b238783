"""Nothing a masked role reads of a person rebuilds the person's ID number.

An attacker with a masked role (headquarters, district, street) collects everything it can read
of each resident of a seeded grid: the person page, the search results and household cards, the
API list and detail, the CSV export and the Excel ledger; then enumerates every ID number
consistent with all of it (the city's district codes, the visible characters, the birth
date, year, month-day or age wherever it appears, sex, the check digit) and counts them.

Bound: at least ``MIN_CANDIDATES`` for every person. Shown the year of birth, the sequence and
the check digit, the attacker still has the month and day: the 4 month-day digits add up,
weighted, to each value mod 11 on at least 32 dates of any year, so at least 32 numbers fit even
with the district known. Any narrower window (a date, a month-day, an age that moves on the
birthday) brings it to a handful or to one; 30 leaves no room for such a leak.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from fangkong.accounts.choices import Role
from fangkong.accounts.scope import ROLE_CAPS, Cap
from fangkong.accounts.services import create_user
from fangkong.common.idnumbers import CHECK_CHARS, WEIGHTS
from fangkong.common.idnumbers import make as make_id
from fangkong.common.masking import mask_id_number, mask_phone, mask_text
from fangkong.ops import names
from fangkong.ops.city import generate_city
from fangkong.ops.load import load_city
from fangkong.people import disclosure
from fangkong.people.disclosure import Detail, Field
from fangkong.people.models import Person, child_cutoff
from fangkong.regions.models import Region

from ..conftest import PERSONAS
from .ledgers import read_xlsx

MIN_CANDIDATES = 30
_MASKED_ID = re.compile(r"[0-9X*]{18}")
_PERSON_LINK = re.compile(r'href="/people/(\d+)/"')
CAP = 10_000


# --- the attacker -------------------------------------------------------------------------
def _date_forms(d: dt.date) -> list[str]:
    return [
        d.isoformat(),
        f"{d:%Y%m%d}",
        f"{d:%Y/%m/%d}",
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d:%Y.%m.%d}",
    ]


def _month_day_forms(d: dt.date) -> list[str]:
    return [f"{d:%m-%d}", f"{d.month}月{d.day}日", f"{d:%m%d}生"]


def _years_of(text: str, year: int) -> bool:
    return re.search(rf"(?<!\d){year}(?!\d)", text) is not None


def _age_on(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _shows_age(texts: list[str], records: list[dict], age: int) -> bool:
    if any(r.get("age") == age for r in records):
        return True
    pattern = re.compile(rf"(?<!\d){age}(岁|y\b)(?!以下)")
    return any(pattern.search(t) for t in texts)


def _birth_dates(person: Person, texts: list[str], records: list[dict], today: dt.date):
    """Every birth date consistent with what was read, most generous to the attacker: any
    form of the true date, month-day or age it can find anywhere, it is told is the birth."""
    born = person.birth_on
    joined = "\n".join(texts)
    if any(form in joined for form in _date_forms(born)):
        return [born]
    year_known = _years_of(joined, born.year) or any(
        r.get("birth_year") == born.year for r in records
    )
    years = [born.year] if year_known else range(1900, today.year + 1)
    days = [
        dt.date(y, 1, 1) + dt.timedelta(days=n)
        for y in years
        for n in range(366)
        if (dt.date(y, 1, 1) + dt.timedelta(days=n)).year == y
        and dt.date(y, 1, 1) + dt.timedelta(days=n) <= today
    ]
    if any(form in joined for form in _month_day_forms(born)):
        days = [d for d in days if (d.month, d.day) == (born.month, born.day)]
    age = _age_on(born, today)
    if _shows_age(texts, records, age):
        days = [d for d in days if _age_on(d, today) == age]
    flags = {r["is_child"] for r in records if "is_child" in r}
    if flags:
        cutoff = child_cutoff(today)
        days = [d for d in days if (d > cutoff) in flags]
    return days


def _visible(number: str, texts: list[str]) -> dict[int, str]:
    """The characters of the number the texts show, position by position."""
    if any(number in t for t in texts):
        return dict(enumerate(number))
    known: dict[int, str] = {}
    for text in texts:
        for shown in _MASKED_ID.findall(text):
            if all(c in ("*", number[i]) for i, c in enumerate(shown)) and "*" in shown:
                known.update({i: c for i, c in enumerate(shown) if c != "*"})
    return known


def candidates(person: Person, texts: list[str], records: list[dict], today: dt.date) -> int:
    """How many valid ID numbers fit everything read of ``person`` (up to CAP)."""
    known = _visible(person.id_number, texts)
    fits = lambda s, at: all(known.get(at + i, c) == c for i, c in enumerate(s))  # noqa: E731
    areas = [code for code, _name in names.DISTRICTS if fits(code, 0)]
    areas += [r for r in Region.objects.filter(level="district").values_list("code", flat=True)]
    areas = sorted({a for a in areas if fits(a, 0)})
    dates = [d for d in _birth_dates(person, texts, records, today) if fits(f"{d:%Y%m%d}", 6)]
    odd = {"M": 1, "F": 0}.get(person.sex)
    seqs = [f"{s:03d}" for s in range(1000) if fits(f"{s:03d}", 14) and odd in (None, s % 2)]

    # The check digit is a weighted sum mod 11 of the parts: count by residue, not one by one.
    def residue(digits: str, at: int) -> int:
        return sum(int(c) * WEIGHTS[at + i] for i, c in enumerate(digits)) % 11

    by_residue = Counter(residue(s, 14) for s in seqs)
    checks = [r for r in range(11) if fits(CHECK_CHARS[r], 17)]
    by_date = Counter(residue(f"{d:%Y%m%d}", 6) for d in dates)
    n = sum(
        k * by_residue[(c - residue(area, 0) - rd) % 11]
        for area in areas
        for rd, k in by_date.items()
        for c in checks
    )
    return min(n, CAP)


# --- what each role reads ------------------------------------------------------------------
@pytest.fixture
def grid(db):
    today = timezone.localdate()
    load_city(generate_city(residents=60, seed=11, today=today))
    return Region.objects.get(level="grid")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _masked_users(grid: Region):
    street = grid.parent.parent
    district = street.parent
    city = district.parent
    return [
        create_user(username=u, password="x", role=role, scope_region=region)
        for u, role, region in (
            ("hq", Role.HEADQUARTERS, city),
            ("district", Role.DISTRICT, district),
            ("street", Role.STREET, street),
        )
    ]


def _cards(html: str) -> dict[int, str]:
    """Each person's card (an ``<li>`` linking to them) in a list page."""
    out: dict[int, str] = {}
    for chunk in html.split("<li"):
        link = _PERSON_LINK.search(chunk)
        if link:
            out.setdefault(int(link.group(1)), "")
            out[int(link.group(1))] += chunk
    return out


def read_everything(client: Client, grid: Region, persons: list[Person]):
    """texts and API records per person id, from every page, response and export."""
    texts: dict[int, list[str]] = {p.pk: [] for p in persons}
    records: dict[int, list[dict]] = {p.pk: [] for p in persons}
    by_doc = {(p.name, p.id_masked): p.pk for p in persons}
    for p in persons:
        texts[p.pk].append(client.get(reverse("people:person", args=[p.pk])).content.decode())
        records[p.pk].append(client.get(reverse("api:get_person", args=[p.pk])).json())
    for page in range(1, 10):
        html = client.get(reverse("people:search"), {"region": grid.code, "page": page})
        for pk, card in _cards(html.content.decode()).items():
            texts[pk].append(card)
        body = client.get(reverse("api:list_persons"), {"region": grid.code, "page": page})
        for item in body.json()["items"]:
            records[item["id"]].append(item)
            texts[item["id"]].append(str(item))
        if not body.json()["has_next"]:
            break
    for household in {p.household_id for p in persons if p.household_id}:
        html = client.get(reverse("people:household", args=[household])).content.decode()
        for pk, card in _cards(html).items():
            texts[pk].append(card)
    export = client.get(reverse("people:export"), {"region": grid.code})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    for row in list(csv.reader(io.StringIO(body)))[1:]:
        texts[by_doc[(row[0], row[3])]].append(",".join(row))
    ledger = read_xlsx(client.get(reverse("people:ledger_export"), {"region": grid.code}).content)
    for row in ledger[2:]:
        texts[by_doc[(row[1], row[4])]].append(",".join(str(c) for c in row))
    return texts, records


def test_no_masked_role_can_rebuild_an_id_number_of_a_seeded_grid(grid):
    today = timezone.localdate()
    persons = list(Person.objects.filter(grid=grid).order_by("id"))
    assert len(persons) >= 60
    for user in _masked_users(grid):
        texts, records = read_everything(_client(user), grid, persons)
        counts = {p.pk: candidates(p, texts[p.pk], records[p.pk], today) for p in persons}
        fewest = min(counts.values())
        assert fewest >= MIN_CANDIDATES, (user.username, fewest)


def test_the_attacker_rebuilds_a_number_from_a_birth_date(grid):
    """The same attacker, given what a revealing export shows, finds most numbers at once:
    so the bound above is the masks' doing, not a weak attacker's."""
    today = timezone.localdate()
    persons = list(Person.objects.filter(grid=grid).order_by("id"))[:20]
    for p in persons:
        masked = [p.id_masked, p.birth_on.isoformat(), p.sex]
        assert candidates(p, masked, [], today) <= 12
    first = persons[0]
    year = [first.id_masked, f"{first.birth_on.year}年生"]
    age = {"age": _age_on(first.birth_on, today)}
    assert candidates(first, year, [age], today) < candidates(first, year, [], today)


# --- the pieces ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("430102198005170015", "4301**********0015"),
        ("E12345678", "*****5678"),  # a passport: the last 4, no head
        ("AB1234", "***234"),  # a short document: at most half shown
        ("12", "*2"),
    ],
)
def test_a_mask_shows_the_last_four_or_at_most_half(number, masked):
    assert mask_id_number(number) == masked


@given(
    number=st.builds(
        lambda area, born, seq: make_id(area, born, seq),
        st.sampled_from([c for c, _n in names.DISTRICTS]),
        st.dates(dt.date(1900, 1, 1), dt.date(2024, 12, 31)),
        st.integers(0, 999),
    ),
    phone=st.from_regex(r"1[3-9]\d{9}", fullmatch=True),
    before=st.sampled_from(["", "由 朱秀（居民身份证 ", "身份证:", "tel ", "同住 "]),
)
def test_identifiers_in_free_text_are_masked(number, phone, before):
    text = f"{before}{number}）电话{phone}，备注"
    shown = mask_text(text)
    assert number not in shown and phone not in shown
    assert mask_id_number(number) in shown and mask_phone(phone) in shown


def test_the_child_mark_changes_on_new_year_not_on_a_birthday():
    born = dt.date(2012, 6, 1)
    days = [dt.date(2025, 5, 31), dt.date(2025, 6, 2), dt.date(2025, 12, 31)]
    assert {born > child_cutoff(d) for d in days} == {True}  # 13 all 2025 long, then 14
    assert born <= child_cutoff(dt.date(2026, 1, 1))


def test_a_masked_ledger_export_has_the_birth_year_and_masks_numbers_in_notes(tree, people):
    Person.objects.filter(pk=tree.person_a.pk).update(notes="女儿 430102196501010022 13700001234")
    body = _client(people.street).get(reverse("people:ledger_export"), {"region": tree.grid_a.code})
    rows = read_xlsx(body.content)
    assert rows[1][5] == "出生年份"
    zhang = next(r for r in rows if r[1] == "张伟")
    assert str(zhang[5]) == "1940" and "430102196501010022" not in str(zhang[14])
    assert "13700001234" not in str(zhang[14]) and "4301**********0022" in str(zhang[14])


def test_a_birth_column_under_another_name_is_not_kept_as_a_note(tree):
    from fangkong.people.services import import_ledger

    from .ledgers import csv_bytes, ident

    data = csv_bytes([["姓名", "身份证号", "出生年月"], ["赵一", ident(5), "1985-04-09"]])
    import_ledger(data=data, filename="l.csv", region=tree.grid_a)
    assert "1985" not in Person.objects.get(name="赵一").notes


# --- the table of docs/scope.md, row by row ----------------------------------------------------
def test_docs_scope_table_is_the_table_the_code_follows():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "scope.md").read_text()
    for row in disclosure.markdown_rows():
        assert row in doc


@pytest.mark.parametrize("who", [w for w in PERSONAS if w != "grid_b"])  # one persona a role
def test_each_role_sees_of_a_person_what_the_table_says(tree, people, who):
    user = getattr(people, who)
    shown, revealed = disclosure.FIELDS_BY_ROLE[user.role]
    client = _client(user)
    p = tree.person_a
    page = client.get(reverse("people:person", args=[p.pk]))
    api = client.get(reverse("api:get_person", args=[p.pk]))
    if shown[Field.NAME] == Detail.NONE:
        assert page.status_code in (403, 404) and api.status_code in (403, 404)
        return
    text, record = page.content.decode(), api.json()
    assert (p.name in text, record["name"]) == (True, p.name)
    assert shown[Field.ID_NUMBER] == Detail.MASKED
    assert p.id_masked in text and p.id_number not in text
    assert record["id_number"] == p.id_masked
    assert shown[Field.PHONE] == Detail.MASKED
    assert "138****5678" in text and p.phone not in text and record["phone"] == "138****5678"
    assert shown[Field.BIRTH] == Detail.YEAR
    assert "1940年生" in text and "1940-03-08" not in text
    assert (record["birth_on"], record["birth_year"], record["age"]) == (None, 1940, None)
    assert ("独居老人" in text) == (shown[Field.TAGS] == Detail.FULL)
    assert ("1栋 1单元 101" in text) == (shown[Field.HOUSEHOLD] == Detail.FULL)
    health = client.get(reverse("health:person", args=[p.pk])).status_code
    assert (health == 200) == (shown[Field.HEALTH] == Detail.FULL)
    reveal = client.post(reverse("people:reveal", args=[p.pk]))
    full = client.get(reverse("api:get_person", args=[p.pk]), {"unmasked": "true"})
    export = client.get(reverse("people:export"), {"region": tree.grid_a.code})
    exported = b"".join(export.streaming_content).decode("utf-8-sig")
    if revealed is None:
        assert reveal.status_code == 403 and full.status_code == 403
        assert p.id_number not in exported and "1940-03-08" not in exported
        return
    assert revealed[Field.BIRTH] == revealed[Field.ID_NUMBER] == Detail.FULL
    assert p.id_number in reveal.content.decode() and "1940-03-08" in reveal.content.decode()
    assert full.json()["birth_on"] == "1940-03-08" and full.json()["id_number"] == p.id_number
    assert p.id_number in exported and "1940-03-08" in exported


def test_only_roles_that_may_reveal_list_duplicates_grouped_by_birth_date():
    for caps in ROLE_CAPS.values():
        assert Cap.EDIT_PEOPLE not in caps or Cap.UNMASK in caps
