"""Refuse a NUL character anywhere in a request, once for the whole site.

PostgreSQL text cannot hold NUL (``\\x00``): a NUL that reaches a query is a 500 ("A string
literal cannot contain NUL characters"), on every field of every form, API body and query
string. No field has a use for one, so the request is answered 400 before any view reads it.
Files uploaded in a multipart form are not scanned (a spreadsheet is binary); Django already
drops unprintable characters from their names.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from .spreadsheets import base as upload_limits

# A JSON ``\u0000`` escape, not an escaped backslash followed by the text "u0000".
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _in_text(*values: str) -> bool:
    return any("\x00" in v for v in values)


def _in_form(request: HttpRequest) -> bool:
    return _in_text(*(v for key, values in request.POST.lists() for v in [key, *values]))


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _in_body(request: HttpRequest) -> bool:
    if request.content_type == "multipart/form-data":
        # An upload over the limit is refused by its view from the declared length alone
        # (413, the body never read): parsing it here would read what must not be read.
        if _declared_length(request) > upload_limits.MAX_UPLOAD_BYTES + upload_limits.FORM_OVERHEAD:
            return False
        return _in_form(request)
    body = request.body
    if b"\x00" in body:
        return True
    if request.content_type == "application/x-www-form-urlencoded":
        return b"%00" in body
    return _JSON_NUL.search(body) is not None


def has_nul(request: HttpRequest) -> bool:
    """Whether the path, the query string, a header, a cookie or the body holds a NUL."""
    query = request.META.get("QUERY_STRING", "")
    headers = [v for k, v in request.META.items() if k.startswith("HTTP_") and isinstance(v, str)]
    cookies = request.COOKIES.values()  # a cookie's \000 escape is a NUL once parsed
    if "%00" in query or _in_text(query, request.path_info, *headers, *cookies):
        return True
    return _in_body(request)


class RefuseNulMiddleware:
    """Answer 400 with a message (JSON unless the client asks for HTML) to a request with NUL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not has_nul(request):
            return self.get_response(request)
        message = _("The request holds a NUL character (\\x00), which no field accepts.")
        if "text/html" in request.headers.get("Accept", ""):
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return JsonResponse(
            {"detail": message}, status=400, json_dumps_params={"ensure_ascii": False}
        )
