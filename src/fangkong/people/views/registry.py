"""Registry pages, phone first: my grid → buildings → households → persons; search; regions."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.choices import Role
from fangkong.accounts.panels import panels_for
from fangkong.accounts.scope import Cap, scope_of
from fangkong.accounts.services import record_person_view
from fangkong.common import spreadsheets
from fangkong.common.paging import page_of
from fangkong.common.params import int_or
from fangkong.regions.choices import Level
from fangkong.regions.selectors import breadcrumbs, region_or_404

from .. import disclosure, selectors
from ..forms import PersonForm
from ..services import PersonInvalid, check_register_person, record_people_export, reveal_person

PAGE_SIZE = 50
HOUSEHOLDS_PER_PAGE = 30


@login_required
def home(request):
    """Each role's first page: headquarters' dashboard; the registry of its region; a
    volunteer's checkpoints; a warehouse keeper's stock points; else what the role will do
    here, with what it can already do."""
    scope = scope_of(request.user)
    region = request.user.scope_region
    if request.user.role == Role.HEADQUARTERS and scope.can(Cap.REPORTS_VIEW):
        return redirect("reports:dashboard")  # headquarters: the day at a glance
    if region is not None and scope.can(Cap.VIEW_PEOPLE):
        return redirect("people:region", code=region.code)
    if scope.can(Cap.DUTY):
        return redirect("volunteers:me")  # a volunteer: their shifts and hours
    if scope.can(Cap.CHECKPOINT):
        return redirect("health:checkpoints")
    if scope.can(Cap.STOCK_KEEP):
        return redirect("supplies:home")  # a warehouse keeper: their points and balances
    if scope.can(Cap.LAB_RESULTS):
        return redirect("screening:lab")  # the lab's tubes awaiting results and the upload
    if scope.can(Cap.BEDS_KEEP):
        return redirect("beds:home")  # a hospital operator: their facility's beds and patients
    return render(request, "people/no_registry.html", {"role": request.user.role})


@login_required
def region_page(request, code):
    scope = scope_of(request.user)
    scope.require(Cap.VIEW_PEOPLE)
    region = region_or_404(scope, code)
    context = {"region": region, "crumbs": breadcrumbs(scope, region)}
    if region.pk == request.user.scope_region_id:  # their own first page: what they have to do
        context["panels"] = panels_for(request)
    if region.level == Level.GRID:
        buildings, unhoused = selectors.grid_buildings(scope, region)
        return render(
            request,
            "people/grid.html",
            {**context, "buildings": buildings, "unhoused": unhoused},
        )
    overview = selectors.region_overview(scope, region)
    return render(request, "people/region.html", {**context, "overview": overview})


@login_required
def building_page(request, pk):
    """One unit of a building at a time, a page of households at a time: a phone screen."""
    scope = scope_of(request.user)
    building = selectors.building_or_404(scope, pk)
    units = selectors.building_units(scope, building)
    unit = request.GET.get("unit")
    if unit not in {u for u, _n in units}:
        unit = units[0][0] if units else ""
    households = selectors.building_households(scope, building, unit)
    return render(
        request,
        "people/building.html",
        {
            "building": building,
            "units": units,
            "unit": unit,
            "page": page_of(households, int_or(request.GET.get("page"), 1), HOUSEHOLDS_PER_PAGE),
            "crumbs": breadcrumbs(scope, building.grid),
        },
    )


@login_required
def household_page(request, pk):
    scope = scope_of(request.user)
    household = selectors.household_or_404(scope, pk)
    return render(
        request,
        "people/household.html",
        {
            "household": household,
            "members": selectors.household_members(scope, household),
            "crumbs": breadcrumbs(scope, household.grid),
        },
    )


@login_required
def person_page(request, pk):
    scope = scope_of(request.user)
    person = selectors.person_or_404(scope, pk)
    record_person_view(request=request, person_id=person.pk, region_path=person.region_path)
    return render(
        request,
        "people/person.html",
        {
            "person": person,
            "notes": disclosure.notes_as(person.notes, disclosure.Detail.MASKED),
            "merges": selectors.person_merges(scope, person),
            "can_unmask": scope.can(Cap.UNMASK),
            "crumbs": breadcrumbs(scope, person.grid),
        },
    )


@login_required
@require_POST
def person_reveal(request, pk):
    scope = scope_of(request.user)
    person = selectors.person_or_404(scope, pk)
    scope.require(Cap.UNMASK)
    merges = selectors.person_merges(scope, person)
    reveal_person(user=request.user, person=person, merges=merges, request=request)
    return render(
        request,
        "people/_identifiers.html",
        {"person": person, "merges": merges, "revealed": True},
    )


@login_required
def person_new(request):
    """Register a resident in a household (?household=ID) or, without one, in a grid (?grid=)."""
    scope = scope_of(request.user)
    scope.require(Cap.EDIT_PEOPLE)
    household, grid = _where_to_register(request, scope)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = check_register_person(
                name=data["name"],
                id_type=data["id_type"],
                id_number=data["id_number"],
                grid=grid,
                household=household,
                phone=data["phone"],
                birth_on=data["birth_on"],
                sex=data["sex"],
                relation=data["relation"],
                tags=form.tag_data(),
            )
        except PersonInvalid as e:
            for field, message in e.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("people:person", pk=person.pk)
    return render(
        request,
        "people/person_new.html",
        {
            "form": form,
            "household": household,
            "grid": grid,
            "crumbs": breadcrumbs(scope, grid),
        },
    )


def _where_to_register(request, scope):
    if request.GET.get("household"):
        household = selectors.household_or_404(scope, int_or(request.GET["household"], 0))
        return household, household.grid
    grid = region_or_404(scope, request.GET.get("grid", ""))
    if grid.level != Level.GRID:
        raise Http404
    return None, grid


def _search_context(request):
    scope = scope_of(request.user)
    scope.require(Cap.VIEW_PEOPLE)
    code = request.GET.get("region") or ""
    region = region_or_404(scope, code) if code else None
    q = request.GET.get("q", "")
    tag = request.GET.get("tag", "")
    if tag not in selectors.tag_names():
        tag = ""
    return scope, region, q, tag, request.GET.get("unhoused") == "1"


@login_required
def search_page(request):
    scope, region, q, tag, unhoused = _search_context(request)
    error = ""
    page = None
    if q or tag or region:
        try:
            qs = selectors.search(scope, q, region=region, tag=tag, unhoused=unhoused)
            page = page_of(qs, int_or(request.GET.get("page"), 1), PAGE_SIZE)
        except selectors.SearchTooShort as e:
            error = str(e)
    template = "people/_results.html" if request.headers.get("HX-Request") else "people/search.html"
    return render(
        request,
        template,
        {
            "q": q,
            "tag": tag,
            "unhoused": unhoused,
            "region": region,
            "page": page,
            "error": error,
            "tags": selectors.tag_names(),
            "can_export": scope.can(Cap.EXPORT_PEOPLE),
        },
    )


@login_required
def export_csv(request):
    """The persons of a region (optionally one tag) as CSV; masked unless the role may unmask."""
    scope, region, q, tag, unhoused = _search_context(request)
    scope.require(Cap.EXPORT_PEOPLE)
    region = region or request.user.scope_region
    try:
        qs = selectors.search(scope, q, region=region, tag=tag, unhoused=unhoused)
    except selectors.SearchTooShort as e:
        return HttpResponse(str(e), status=400)
    unmasked = scope.can(Cap.UNMASK)
    header = [
        _("Name"),
        _("Sex"),
        _("ID type"),
        _("ID number"),
        _("Birth date") if unmasked else _("Birth year"),
        _("Phone"),
        _("Grid"),
        _("Household"),
        _("Relation"),
        _("Tags"),
    ]
    tag_label = selectors.tag_names()
    # Audited before the first byte leaves, so an interrupted download is still on record.
    record_people_export(
        user=request.user,
        region=region,
        query={"q": q, "tag": tag, "unhoused": unhoused},
        unmasked=unmasked,
        request=request,
    )

    def rows():
        yield header
        for person in qs.iterator(chunk_size=2000):
            r = selectors.person_record(person, unmasked=unmasked)
            yield [
                r["name"],
                person.get_sex_display(),
                person.get_id_type_display(),
                r["id_number"],
                (r["birth_on"] if unmasked else r["birth_year"]) or "",
                r["phone"],
                r["grid_code"],
                r["household"],
                r["relation"],
                "、".join(tag_label[t] for t in r["tags"]),
            ]

    # A BOM first, so that Excel on Chinese Windows opens the UTF-8 file correctly; names that
    # look like formulas are written as text.
    body = spreadsheets.csv_lines(rows(), bom=True)
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="persons-{region.code}-{stamp}.csv"'
    return response
