"""The one NinjaAPI: each app's router under /api/v1, OpenAPI docs at /api/docs."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.renderers import JSONRenderer
from ninja.security import SessionAuth

from fangkong.accounts.api import TokenAuth
from fangkong.accounts.api import router as auth_router
from fangkong.beds.api import router as beds_router
from fangkong.funds.api import router as funds_router
from fangkong.health.api import router as health_router
from fangkong.people.api import router as people_router
from fangkong.regions.api import router as regions_router
from fangkong.reports.api import router as reports_router
from fangkong.screening.api import router as screening_router
from fangkong.screening.labapi import router as lab_router
from fangkong.supplies.api import router as supplies_router


class UTF8JSONRenderer(JSONRenderer):
    """Chinese text as itself, not as \\u escapes: half the bytes, readable in any client."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=UTF8JSONRenderer(),
    title="Fangkong API",
    version="1",
    description="Fangkong (防控) — every call is scoped to the caller's role and region.",
    urls_namespace="api",
    docs_url="/docs",
    # The bearer token first: ninja's SessionAuth checks CSRF before it looks for a session,
    # so tried first it refused every POST from other systems (which send no CSRF cookie).
    auth=[TokenAuth(), SessionAuth()],
)
api.add_router("/v1/auth", auth_router)
api.add_router("/v1/regions", regions_router)
api.add_router("/v1/persons", people_router)
api.add_router("/v1/health", health_router)
api.add_router("/v1/reports", reports_router)
api.add_router("/v1/screening", screening_router)
api.add_router("/v1/supplies", supplies_router)
api.add_router("/v1/screening", lab_router)  # labs, results, tasks (screening/labapi.py)
api.add_router("/v1/beds", beds_router)
api.add_router("/v1/funds", funds_router)

# Last: an address under /api/ that names no operation gets ninja's JSON 404, as every other
# API answer is JSON, not Django's HTML page.
unmatched = Router()


@unmatched.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def no_such_operation(request, rest: str):
    raise Http404


api.add_router("", unmatched)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": _("Your role may not do this.")}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    """Every 404 of the API in the user's language, as the site's own 404 says it."""
    return api.create_response(request, {"detail": _("Not found.")}, status=404)
