"""A deterministic synthetic city: regions, buildings, households, residents and tags.

Pure Python (no Django): ``generate_city(residents=N, seed=S, today=D)`` yields one
``GridBundle`` per grid, in order, so a million residents stream straight into the database.
Same arguments, same city. Shapes follow the source reports and China's 2020 census: an age
pyramid with about 18 % under 15 and 19 % aged 60 and over, households of about 2.6 people,
grids of 200-1,000 households, elderly people living alone in one-person households.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from fangkong.common.idnumbers import make as make_id

from . import names

# Household size distribution (mean about 2.6, as in the 2020 census).
HOUSEHOLD_SIZES = [(1, 25), (2, 30), (3, 21), (4, 13), (5, 7), (6, 4)]
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "176",
    "177",
    "180",
    "181",
    "185",
    "186",
    "187",
    "188",
    "189",
    "198",
    "199",
]


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass
class PersonRow:
    household: int | None  # index into the bundle's households
    name: str
    sex: str
    id_number: str
    birth_on: dt.date
    phone: str
    relation: str
    tags: list[tuple[str, str, dt.date | None, str]] = field(default_factory=list)
    # (kind, place, event_on, note)


@dataclass
class HouseholdRow:
    building: int | None  # index into the bundle's buildings
    unit: str
    door: str
    address: str


@dataclass
class GridBundle:
    regions: list[RegionRow]  # regions that start with this grid (parents first, grid last)
    grid_code: str
    buildings: list[str]
    households: list[HouseholdRow]
    persons: list[PersonRow]


class _Weighted:
    def __init__(self, pairs):
        self.values = [v for v, _w in pairs]
        self.cum = list(itertools.accumulate(w for _v, w in pairs))

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


class CityGenerator:
    def __init__(self, *, residents: int, seed: int = 1, today: dt.date | None = None):
        if residents < 1:
            raise ValueError("residents must be at least 1")
        self.target = residents
        self.rng = random.Random(seed)
        self.today = today or dt.date.today()
        self.surnames = _Weighted(names.SURNAMES)
        self.sizes = _Weighted(HOUSEHOLD_SIZES)
        self.id_seq: dict[tuple[str, dt.date, str], int] = {}
        self.made = 0

    # --- people -----------------------------------------------------------------------------
    def _birth(self, age: int) -> dt.date:
        days = int(self.rng.random() * 365)
        return self.today - dt.timedelta(days=age * 365 + age // 4 + days)

    def _name(self, surname: str, sex: str) -> str:
        pool = names.GIVEN_MALE if sex == "M" else names.GIVEN_FEMALE
        rng = self.rng
        given = pool[int(rng.random() * len(pool))]
        if rng.random() < 0.75:
            given += pool[int(rng.random() * len(pool))]
        return surname + given

    def _person(self, *, surname: str, sex: str, age: int, relation: str, area: str, hh):
        rng = self.rng
        age = max(0, min(age, 100))
        birth = self._birth(age)
        key = (area, birth, sex)
        k = self.id_seq.get(key, 0)
        self.id_seq[key] = k + 1
        seq = 2 * k + 1 if sex == "M" else 2 * k
        phone = ""
        if age >= 14 and rng.random() < 0.92:
            prefix = MOBILE_PREFIXES[int(rng.random() * len(MOBILE_PREFIXES))]
            phone = f"{prefix}{int(rng.random() * 100_000_000):08d}"
        return PersonRow(
            household=hh,
            name=self._name(surname, sex),
            sex=sex,
            id_number=make_id(area, birth, seq % 1000),
            birth_on=birth,
            phone=phone,
            relation=names.RELATIONS[relation],
        )

    def _household_people(self, size: int, area: str, hh: int) -> list[PersonRow]:
        """One household: a single person, a couple, or a family of two or three generations."""
        rng = self.rng
        r = rng.random
        surname = self.surnames.pick(rng)
        p = self._person
        if size == 1:
            old = r() < 0.30
            age = int(60 + r() * 32) if old else int(20 + r() * 40)
            sex = "F" if (old and r() < 0.6) or (not old and r() < 0.45) else "M"
            person = p(surname=surname, sex=sex, age=age, relation="head", area=area, hh=hh)
            if old:
                person.tags.append(("elderly_alone", "", None, ""))
            return [person]
        # a couple; older couples are more often alone (children moved out)
        if size == 2:
            head_age = int(24 + r() * 58) if r() < 0.75 else int(55 + r() * 30)
        else:
            head_age = int(26 + r() * 26)
        members = [
            p(surname=surname, sex="M", age=head_age, relation="head", area=area, hh=hh),
            p(
                surname=self.surnames.pick(rng),
                sex="F",
                age=head_age - int(r() * 5),
                relation="spouse",
                area=area,
                hh=hh,
            ),
        ]
        children = size - 2
        grandparents = 0
        if size >= 4 and r() < 0.5:
            grandparents = 1 if size == 4 else 2
            children = size - 2 - grandparents
        mother_age = members[1].birth_on
        mother_years = (self.today - mother_age).days // 365
        for _ in range(children):
            age = mother_years - int(22 + r() * 14)
            if age < 0:
                age = int(r() * 6)
            members.append(
                p(
                    surname=surname,
                    sex="M" if r() < 0.51 else "F",
                    age=age,
                    relation="child",
                    area=area,
                    hh=hh,
                )
            )
        for i in range(grandparents):
            members.append(
                p(
                    surname=surname if i == 0 else self.surnames.pick(rng),
                    sex="M" if i == 0 else "F",
                    age=head_age + int(24 + r() * 10),
                    relation="parent",
                    area=area,
                    hh=hh,
                )
            )
        return members

    def _tag(self, person: PersonRow) -> None:
        r = self.rng.random
        age = (self.today - person.birth_on).days // 365
        if age >= 75 and r() < 0.03:
            person.tags.append(("bedridden", "", None, ""))
        if r() < 0.012:
            person.tags.append(("disabled", "", None, ""))
        if age >= 40 and r() < 0.002:
            person.tags.append(("chronic_care", "", None, "血液透析"))
        if person.sex == "F" and 22 <= age <= 38 and r() < 0.03:
            person.tags.append(("pregnant", "", None, ""))
        if age >= 16 and r() < 0.015:
            place = names.RETURN_PLACES[int(r() * len(names.RETURN_PLACES))]
            person.tags.append(
                ("returnee", place, self.today - dt.timedelta(days=int(r() * 14)), "")
            )
        if r() < 0.0008:
            person.tags.append(
                ("close_contact", "", self.today - dt.timedelta(days=int(r() * 10)), "")
            )
        elif r() < 0.0015:
            person.tags.append(
                ("secondary_contact", "", self.today - dt.timedelta(days=int(r() * 10)), "")
            )

    # --- places -----------------------------------------------------------------------------
    def _grid(self, grid_code: str, rural: bool, area: str, village: str) -> GridBundle:
        rng = self.rng
        r = rng.random
        n_households = int(200 + r() * 800)
        bundle = GridBundle(
            regions=[], grid_code=grid_code, buildings=[], households=[], persons=[]
        )
        slots: Iterator[tuple[int | None, str, str, str]]
        if rural:
            group = int(grid_code[-2:])
            slots = ((None, "", "", f"{village}{group}组{n}号") for n in itertools.count(1))
        else:
            slots = self._urban_slots(bundle, grid_code)
        for _ in range(n_households):
            if self.made >= self.target:
                break
            b, unit, door, address = next(slots)
            bundle.households.append(HouseholdRow(b, unit, door, address))
            size = min(self.sizes.pick(rng), self.target - self.made)
            people = self._household_people(size, area, len(bundle.households) - 1)
            for person in people:
                self._tag(person)
            bundle.persons.extend(people)
            self.made += len(people)
        return bundle

    def _urban_slots(self, bundle: GridBundle, grid_code: str):
        r = self.rng.random
        for number in itertools.count(1):
            bundle.buildings.append(f"{number}栋")
            b = len(bundle.buildings) - 1
            units, floors, doors = 1 + int(r() * 4), 6 + int(r() * 28), 2 + int(r() * 3)
            for unit in range(1, units + 1):
                for floor in range(1, floors + 1):
                    for door in range(1, doors + 1):
                        yield b, str(unit), f"{floor}{door:02d}", ""

    def grids(self) -> Iterator[GridBundle]:
        rng = self.rng
        r = rng.random
        street_words = iter(rng.sample(names.STREET_WORDS, len(names.STREET_WORDS)) * 50)
        comm_words = iter(rng.sample(names.COMMUNITY_WORDS, len(names.COMMUNITY_WORDS)) * 500)
        pending = [
            RegionRow(names.PROVINCE[0], names.PROVINCE[1], "province", None),
            RegionRow(names.CITY[0], names.CITY[1], "city", names.PROVINCE[0]),
        ]
        for d_code, d_name in names.DISTRICTS:
            pending.append(RegionRow(d_code, d_name, "district", names.CITY[0]))
            for s in range(1, 6 + int(r() * 5)):
                s_code = f"{d_code}{s:03d}000"
                pending.append(RegionRow(s_code, f"{next(street_words)}街道", "street", d_code))
                for c in range(1, 4 + int(r() * 8)):
                    rural = r() < 0.15
                    village = rng.choice(names.VILLAGE_WORDS)
                    c_name = f"{village}村" if rural else f"{next(comm_words)}社区"
                    c_code = f"{s_code[:9]}{c:03d}"
                    pending.append(RegionRow(c_code, c_name, "community", s_code))
                    for g in range(1, 3 + int(r() * 6)):
                        g_code = f"{c_code}{g:03d}"
                        pending.append(RegionRow(g_code, f"{c_name}第{g}网格", "grid", c_code))
                        bundle = self._grid(g_code, rural, d_code, village)
                        bundle.regions, pending = pending, []
                        yield bundle
                        if self.made >= self.target:
                            return
        raise ValueError(f"a synthetic city holds at most {self.made} residents")


def generate_city(*, residents: int, seed: int = 1, today: dt.date | None = None):
    return CityGenerator(residents=residents, seed=seed, today=today).grids()
