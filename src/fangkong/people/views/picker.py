"""The picker (templates/people/_picker.html): the rows a form's person or door picker shows.

Every answer is a piece of the form, swapped in by htmx: the rows matching what was typed, a
building's doors, or the chosen person or door with its hidden input. ``field`` names the
form's input; ``mode`` is "person" or "household".
"""

import re

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.params import int_or

from .. import selectors

MODES = ("person", "household")
_FIELD = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _field(request) -> str:
    field = request.GET.get("field", "")
    return field if _FIELD.fullmatch(field) else "person"


@login_required
def pick(request):
    """``?q=``: the matching rows; ``?chosen=ID``: the chosen one with its hidden input;
    ``?reset=1``: the search box again; household mode: ``?building=ID`` (and ``&unit=``) lists
    that building's doors."""
    scope = scope_of(request.user)
    mode = request.GET.get("mode") if request.GET.get("mode") in MODES else "person"
    context = {"field": _field(request), "mode": mode}
    if "reset" in request.GET:  # "choose another": the search box again
        scope.require(Cap.VIEW_PEOPLE)
        return render(request, "people/_picker_body.html", context)
    chosen = int_or(request.GET.get("chosen"), 0)
    if chosen:
        picked = (
            selectors.picked_household(scope, chosen)
            if mode == "household"
            else selectors.picked_person(scope, chosen)
        )
        return render(request, "people/_picker_body.html", {**context, "chosen": picked})
    building = int_or(request.GET.get("building"), 0)
    if mode == "household" and building:
        doors = selectors.pick_doors(scope, building, request.GET.get("unit"))
        return render(request, "people/_picker_doors.html", {**context, "doors": doors})
    q = request.GET.get("q", "")
    try:
        found = (
            selectors.pick_buildings(scope, q)
            if mode == "household"
            else selectors.pick_people(scope, q)
        )
    except selectors.SearchTooShort as e:
        return render(request, "people/_picker_rows.html", {**context, "error": str(e)})
    return render(request, "people/_picker_rows.html", {**context, "found": found, "q": q})
