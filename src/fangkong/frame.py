"""The frame around every page: error pages in the site's own header, and the favicon.

Django's defaults are bare English pages; these say in Chinese (or the chosen language) what
happened and offer a way back. Under /api/ an error stays a JSON ``{"detail": ...}``.
"""

from __future__ import annotations

from django.core.exceptions import DisallowedHost
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template import loader
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _back(request) -> str:
    """Where the user came from, when that was a page of this site (else the page offers the
    browser's own back)."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:  # the very error a 400 may be answering
        return ""
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return referer
    return ""


def _error(request, status: int, detail: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": detail}, status=status)
    template = loader.get_template(f"{status}.html")
    return HttpResponse(template.render({"back": _back(request)}, request), status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _error(request, 400, _("The request could not be understood."))


@requires_csrf_token
def permission_denied(request, exception=None):
    return _error(request, 403, _("Your role may not do this."))


@requires_csrf_token
def page_not_found(request, exception=None):
    return _error(request, 404, _("Not found."))


@requires_csrf_token
def server_error(request):
    """Rendered without the request's context: whatever broke (the database, a context
    processor) must not break the error page too."""
    if _is_api(request):
        return JsonResponse({"detail": _("Something went wrong on our side.")}, status=500)
    try:
        body = loader.get_template("500.html").render()
    except Exception:  # the last resort must answer
        body = "<h1>系统出错了 · Something went wrong</h1>"
    return HttpResponse(body, status=500)


def favicon(request):
    """Browsers ask for /favicon.ico on every page; the icon is the project's SVG."""
    return HttpResponseRedirect(static("fangkong/favicon.svg"))
