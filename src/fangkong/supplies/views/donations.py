"""Donation pages: the public page (no login) listing every donation and where it went; the
staff's list and a donation's full trace; the keeper's form to record one received."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.masking import mask_phone
from fangkong.common.params import int_or

from .. import selectors
from ..choices import DonorKind
from ..models import Item
from ..services import DonorIn, LineIn, StockInvalid, check_receive_donation
from ..stock_sheet import RowRejected, parse_expiry, parse_qty

FORM_LINES = 6


@require_GET
@cache_control(public=True, max_age=60)
def public_donations(request):
    """Every donation, newest first, with where each went: no login, no person named."""
    page, traced = selectors.public_donations(int_or(request.GET.get("page"), 1))
    return render(
        request, "supplies/donation_public_list.html", {"page": page, "donations": traced}
    )


@require_GET
@cache_control(public=True, max_age=60)
def public_donation(request, number):
    """One donation and where it went (the link a donor is given)."""
    traced = selectors.public_donation(number[:20])
    return render(request, "supplies/donation_public.html", {"d": traced})


@login_required
def donations(request):
    scope = scope_of(request.user)
    page, traced = selectors.traced_page(scope, int_or(request.GET.get("page"), 1))
    return render(
        request,
        "supplies/donation_list.html",
        {"page": page, "donations": traced, "keeper": scope.can(Cap.STOCK_KEEP)},
    )


@login_required
def donation(request, number):
    scope = scope_of(request.user)
    traced = selectors.traced_donation(scope, number[:20])
    return render(
        request,
        "supplies/donation_detail.html",
        {"d": traced, "phone": mask_phone(traced.donation.donor.phone)},
    )


def _lines(post, errors: dict) -> list[LineIn]:
    """The form's filled rows (item chosen or quantity typed) as lines; errors by row."""
    items = {i.pk: i for i in Item.objects.all()}
    rows = zip(
        post.getlist("item"),
        post.getlist("qty"),
        post.getlist("batch"),
        post.getlist("expires_on"),
        strict=False,
    )
    out = []
    for n, (item_id, qty, batch, expires) in enumerate(rows, 1):
        if not (item_id or qty.strip()):
            continue
        item = items.get(int_or(item_id, 0))
        try:
            number = parse_qty(qty)
            day = parse_expiry(expires)
        except RowRejected as e:
            errors[f"line{n}"] = f"{n}: {e}"
            continue
        if item is None:
            errors[f"line{n}"] = f"{n}: " + _("choose the item")
            continue
        out.append(LineIn(item, number, " ".join(batch.split())[:60], day))
    return out


def _form_rows(post) -> list[dict]:
    """The form's item rows, as typed when it comes back with errors."""
    if post is None:
        return [{} for _n in range(FORM_LINES)]
    fields = ("item", "qty", "batch", "expires_on")
    columns = [post.getlist(f) for f in fields]
    count = max(FORM_LINES, *(len(c) for c in columns))
    return [
        {f: (c[n] if n < len(c) else "") for f, c in zip(fields, columns, strict=True)}
        for n in range(min(count, 50))
    ]


@login_required
def donate(request, code):
    """The keeper records a donation received at their point."""
    scope = scope_of(request.user)
    point = selectors.kept_point_or_404(scope, code)
    errors: dict = {}
    if request.method == "POST":
        post = request.POST
        lines = _lines(post, errors)
        try:
            client_id = uuid.UUID(post.get("client_id", ""))
        except ValueError:
            client_id = uuid.uuid4()
        donor = DonorIn(
            kind=post.get("donor_kind", ""),
            name=post.get("donor_name", ""),
            phone=post.get("phone", ""),
            credit_code=post.get("credit_code", ""),
            named_in_public=post.get("named_in_public") == "on",
        )
        if not errors:
            try:
                found, _created = check_receive_donation(
                    point=point,
                    donor=donor,
                    lines=lines,
                    client_id=client_id,
                    note=post.get("note", ""),
                    user=request.user,
                )
            except StockInvalid as e:
                errors = e.errors
            else:
                messages.success(
                    request, _("Donation %(number)s received.") % {"number": found.number}
                )
                return redirect("supplies:donation", number=found.number)
    return render(
        request,
        "supplies/donation_form.html",
        {
            "point": point,
            "kinds": DonorKind.choices,
            "items": Item.objects.order_by("category", "name"),
            "rows": _form_rows(request.POST if errors else None),
            "client_id": request.POST.get("client_id") or uuid.uuid4(),
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=422 if errors else 200,
    )
