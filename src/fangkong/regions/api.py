from ninja import Router, Schema
from ninja.pagination import paginate

from fangkong.common.paging import BoundedPageNumberPagination
from fangkong.common.params import error_responses
from fangkong.common.scope import reach_of

from .choices import Level
from .codes import canonical_code
from .selectors import region_or_404, regions

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: Level
    parent_code: str | None
    depth: int

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


@router.get("", response={200: list[RegionOut], **error_responses(404)})
@paginate(BoundedPageNumberPagination, page_size=100)
def list_regions(request, parent: str | None = None, level: Level | None = None, q: str = ""):
    """Regions inside the caller's scope, optionally the children of ``parent`` or one level."""
    qs = regions(reach_of(request.user))
    if parent:
        qs = qs.filter(parent__code=canonical_code(parent))
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(name__contains=q)
    return qs.order_by("path")


@router.get("/{code}", response={200: RegionOut, **error_responses(404)})
def get_region(request, code: str):
    return region_or_404(reach_of(request.user), code)
