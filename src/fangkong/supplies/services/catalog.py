"""The catalog and the stock points: items, substitutes, points in the region tree, keepers."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.common.digits import ascii_digits
from fangkong.common.text import InvalidText, clean_name
from fangkong.regions.models import Region

from ..choices import Category, PointKind
from ..models import Balance, Item, Keeper, Movement, StockPoint, Substitute
from ..stock_sheet import item_key
from .ledger import StockInvalid

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")


def clean_point_code(code: str) -> str:
    """A point's code as typed (full-width folded, spaces dropped); StockInvalid if it holds
    anything but letters, digits, ``-``, ``_`` and ``.`` (at most 32)."""
    text = ascii_digits(code or "").strip()
    if not _CODE.fullmatch(text):
        raise StockInvalid(
            {
                "code": _(
                    "a point's code is 1 to 32 letters, digits, '-', '_' or '.', starting with a "
                    "letter or digit"
                )
            }
        )
    return text


@transaction.atomic
def save_point(
    *, code: str, name: str, region: Region, kind: str = PointKind.COMMUNITY
) -> tuple[StockPoint, bool]:
    """Create a stock point, or update the one with this code (its name, kind, region: its
    balances and movements move to the new region's path with it)."""
    code = clean_point_code(code)
    try:
        name = clean_name(name)
    except InvalidText as e:
        raise StockInvalid({"name": str(e)}) from None
    errors = {}
    if not name:
        errors["name"] = _("name the point")
    if kind not in PointKind.values:
        errors["kind"] = _("the kind is one of: %(kinds)s") % {"kinds": ", ".join(PointKind.values)}
    if errors:
        raise StockInvalid(errors)
    point = StockPoint.objects.select_for_update().filter(code=code).first()
    if point is None:
        point = StockPoint.objects.create(
            code=code, name=name[:100], kind=kind, region=region, region_path=region.path
        )
        return point, True
    moved = point.region_path != region.path
    point.name, point.kind, point.region, point.region_path = name[:100], kind, region, region.path
    point.save()
    if moved:
        Balance.objects.filter(point=point).update(region_path=region.path)
        Movement.objects.filter(point=point).update(region_path=region.path)
    return point, False


def assign_keeper(*, point: StockPoint, user: User) -> Keeper:
    """``user`` keeps ``point`` (a keeper may keep several points; a point several keepers)."""
    keeper, _created = Keeper.objects.get_or_create(point=point, user=user)
    return keeper


def find_item(name: str) -> Item | None:
    """The catalog's item of this name, full-/half-width forms and spaces ignored."""
    return Item.objects.filter(name=item_key(name)).first()


def save_item(
    *,
    name: str,
    unit: str,
    category: str = Category.OTHER,
    spec: str = "",
    pack_size: int = 1,
    tracks_batches: bool = False,
    key: bool = False,
) -> Item:
    """Add an item to the catalog, or update the one of this name."""
    name, unit = item_key(name), item_key(unit)
    errors = {}
    if not name:
        errors["name"] = _("name the item")
    if not unit:
        errors["unit"] = _("give the unit it is counted in (个, 盒, 箱, 瓶, 罐 ...)")
    if category not in Category.values:
        errors["category"] = _("the category is one of: %(c)s") % {"c": ", ".join(Category.values)}
    if pack_size < 1:
        errors["pack_size"] = _("a pack holds at least 1")
    if errors:
        raise StockInvalid(errors)
    item, _created = Item.objects.update_or_create(
        name=name[:100],
        defaults={
            "unit": unit[:20],
            "category": category,
            "spec": spec[:100],
            "pack_size": pack_size,
            "tracks_batches": tracks_batches,
            "key": key,
        },
    )
    return item


def set_substitute(*, item: Item, substitute: Item, per_unit: Decimal | float) -> Substitute:
    """``substitute`` may be given for ``item``, ``per_unit`` of it for each unit asked for."""
    ratio = Decimal(str(per_unit))
    if substitute.pk == item.pk or ratio <= 0:
        raise StockInvalid({"substitute": _("a substitute is another item, at a ratio above 0")})
    sub, _created = Substitute.objects.update_or_create(
        item=item, substitute=substitute, defaults={"per_unit": ratio}
    )
    return sub
