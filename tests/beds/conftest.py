"""Beds fixtures: a designated hospital of 芙蓉区 (HOSPITAL persona its operator), a Fangcang
field hospital and a quarantine hotel; a pickup point for the city; 张伟 of grid A a confirmed
case, 李娜 of grid B his close contact (central quarantine by the default rule)."""

from __future__ import annotations

import pytest

from fangkong.accounts.scope import scope_of
from fangkong.beds.choices import FacilityKind
from fangkong.beds.services import assign_operator, save_facility, save_pickup_point
from fangkong.health.services import check_add_contact, check_report_case


class Beds:
    def __init__(self, tree, people):
        self.hospital = save_facility(
            code="FR01",
            name="芙蓉区定点医院",
            kind=FacilityKind.DESIGNATED,
            region=tree.district,
            lat=28.20,
            lon=112.98,
            capacity={"icu": 2, "ward": 5},
            dialysis=True,
        )
        self.fangcang = save_facility(
            code="FC01",
            name="会展中心方舱",
            kind=FacilityKind.FANGCANG,
            region=tree.district,
            lat=28.21,
            lon=112.99,
            capacity={"fangcang": 10},
        )
        self.hotel = save_facility(
            code="QH01",
            name="芙蓉宾馆隔离点",
            kind=FacilityKind.QUARANTINE,
            region=tree.district,
            lat=28.19,
            lon=112.97,
            capacity={"quarantine": 20},
            children=True,
        )
        self.other = save_facility(
            code="TX01",
            name="天心区定点医院",
            kind=FacilityKind.DESIGNATED,
            region=tree.grid_c.parent.parent.parent,
            lat=28.10,
            lon=112.98,
            capacity={"ward": 5},
        )
        assign_operator(facility=self.hospital, user=people.hospital)
        save_pickup_point(region=tree.city, name="长沙市", lat=28.2, lon=112.97)
        hq = people.hq
        self.case = check_report_case(
            user=hq, scope=scope_of(hq), person=tree.person_a, classification="confirmed"
        )
        self.contact, periods = check_add_contact(
            user=hq, scope=scope_of(hq), case=self.case, person=tree.person_b, kind="close"
        )
        self.quarantine = periods[0]


@pytest.fixture
def beds(tree, people) -> Beds:
    return Beds(tree, people)
