"""Pages for funds and allowances, phone first: funds with their balances, policies, a
policy's rosters and totals, the roster upload, review, payment files and the bank's answer.
ID and card numbers are masked on every page; only the payment file holds them whole."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.scope import Cap, scope_of
from fangkong.accounts.services import record_audit
from fangkong.common import spreadsheets
from fangkong.common.masking import mask_card, mask_id_number
from fangkong.common.money import InvalidAmount, parse_fen, show
from fangkong.regions.selectors import region_or_home

from . import selectors
from .choices import PayeeStatus, PolicyKind, RosterStatus, Source
from .files import imports_dir
from .roster_sheet import RosterInvalid
from .services import (
    FundsInvalid,
    check_add_fund,
    check_approve,
    check_confirm,
    check_pay_again,
    check_pay_batch,
    check_record_payment,
    check_return,
    check_save_policy,
    import_roster,
    parse_rates,
    write_payfile,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def home(request):
    """Policies to upload to or review; for staff, the funds with their balances (of the
    user's area, or of one region in it: ``?region=``, the daily report's drill-down)."""
    scope = scope_of(request.user)
    policies = [
        (p, [(r.category, show(r.amount_fen)) for r in p.rates.all()])
        for p in selectors.policies(scope)[: selectors.MAX_LISTED]
    ]
    region = region_or_home(scope, request.GET.get("region", ""), request.user.scope_region)
    funds = []
    if scope.can(Cap.FUNDS_VIEW):
        under = selectors.funds(scope).filter(region_path__startswith=region.path)
        for f in under[: selectors.MAX_LISTED]:
            left = f.amount_fen - (f.paid or 0)
            funds.append((f, show(f.amount_fen), show(f.paid), show(left), show(f.ahead)))
    return render(
        request,
        "funds/home.html",
        {
            "policies": policies,
            "region": region,
            "funds": funds,
            "sources": Source.choices,
            "kinds": PolicyKind.choices,
        },
    )


@login_required
@require_POST
def add_fund(request):
    scope = scope_of(request.user)
    scope.require(Cap.FUNDS_RECORD)
    region = request.user.scope_region
    try:
        fund = check_add_fund(
            code=request.POST.get("code", ""),
            name=request.POST.get("name", ""),
            source=request.POST.get("source", ""),
            purpose=request.POST.get("purpose", ""),
            document=request.POST.get("document", ""),
            amount_fen=parse_fen(request.POST.get("amount")),
            region=region,
        )
    except (FundsInvalid, InvalidAmount) as e:
        messages.error(request, str(e))
        return redirect("funds:home")
    messages.success(request, _("Fund %(c)s recorded.") % {"c": fund.code})
    return redirect("funds:fund", fund.code)


@login_required
def fund_page(request, code):
    scope = scope_of(request.user)
    fund = selectors.fund_or_404(scope, code)
    payments = [(p, show(p.amount_fen)) for p in selectors.payments(scope, fund)[:200]]
    left = fund.amount_fen - (fund.paid or 0)
    return render(
        request,
        "funds/fund.html",
        {
            "fund": fund,
            "amount": show(fund.amount_fen),
            "paid": show(fund.paid),
            "ahead": show(fund.ahead),
            "left": show(left),
            "payments": payments,
            "client_id": uuid.uuid4(),
        },
    )


@login_required
@require_POST
def add_payment(request, code):
    scope = scope_of(request.user)
    scope.require(Cap.FUNDS_RECORD)
    fund = selectors.fund_or_404(scope, code)
    try:
        client_id = uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        client_id = uuid.uuid4()
    try:
        check_record_payment(
            fund=fund,
            client_id=client_id,
            amount_fen=parse_fen(request.POST.get("amount")),
            payee=request.POST.get("payee", ""),
            purpose=request.POST.get("purpose", ""),
            document=request.POST.get("document", ""),
            ahead=request.POST.get("ahead") == "on",
            user=request.user,
        )
    except (FundsInvalid, InvalidAmount) as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Payment recorded."))
    return redirect("funds:fund", fund.code)


@login_required
@require_POST
def save_policy(request):
    scope = scope_of(request.user)
    scope.require(Cap.ALLOWANCE_APPROVE)
    lines = [t for t in request.POST.get("rates", "").splitlines() if t.strip()]
    try:
        policy, _created = check_save_policy(
            code=request.POST.get("code", ""),
            name=request.POST.get("name", ""),
            basis=request.POST.get("basis", ""),
            kind=request.POST.get("kind", PolicyKind.ONE_OFF),
            eligible=request.POST.get("eligible", ""),
            rates=parse_rates(lines),
            region=request.user.scope_region,
        )
    except FundsInvalid as e:
        messages.error(request, str(e))
        return redirect("funds:home")
    return redirect("funds:policy", policy.code)


def _status_rows(totals: dict) -> list:
    return [
        (PayeeStatus(s).label, n, show(fen)) for s, (n, fen) in sorted(totals["status"].items())
    ]


def _grid(totals: dict) -> list:
    return [
        (unit, cat, [(PayeeStatus(s).label, n, show(fen)) for s, (n, fen) in sorted(by.items())])
        for unit, cat, by in totals["rows"]
    ]


@login_required
def policy_page(request, code):
    scope = scope_of(request.user)
    policy = selectors.policy_or_404(scope, code)
    totals = selectors.totals(scope, policy)
    pays = scope.can(Cap.PAY)
    context = {
        "policy": policy,
        "rates": [(r.category, show(r.amount_fen)) for r in policy.rates.all()],
        "rosters": [(r, show(r.total_fen)) for r in selectors.rosters(scope, policy)[:100]],
        "grid": _grid(totals),
        "by_status": _status_rows(totals),
        "batches": [(b, show(b.total_fen)) for b in selectors.batches(scope, policy)[:50]]
        if pays
        else [],
        "failed": [
            (p, mask_card(p.bank_card), show(p.amount_fen))
            for p in selectors.failed(scope, policy)[:100]
        ]
        if pays
        else [],
    }
    return render(request, "funds/policy.html", context)


@login_required
@require_POST
def upload(request, code):
    """A unit's roster uploaded: checked, its new rows submitted, its mistakes sent back."""
    scope = scope_of(request.user)
    scope.require(Cap.ALLOWANCE_SUBMIT)
    policy = selectors.policy_or_404(scope, code)
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, _("choose the roster file (.xlsx or .csv)"))
        return redirect("funds:policy", policy.code)
    try:
        spreadsheets.check_upload_size(file.size)
        target = imports_dir() / f"roster-{uuid.uuid4().hex}-{spreadsheets.rejects_name(file.name)}"
        result = import_roster(
            data=file.read(),
            filename=file.name,
            policy=policy,
            region_path=scope.path,
            user=request.user,
            unit=request.POST.get("unit", ""),
            period=request.POST.get("period", ""),
            rejects=target,
        )
    except (RosterInvalid, spreadsheets.SpreadsheetError) as e:
        messages.error(request, str(e))
        return redirect("funds:policy", policy.code)
    summary = _(
        "%(read)d rows read: %(accepted)d added (%(total)s), %(already)d there before, "
        "%(rejected)d rejected."
    ) % {
        "read": result.read,
        "accepted": result.accepted,
        "total": show(result.total_fen),
        "already": result.already,
        "rejected": len(result.rejected),
    }
    messages.success(request, summary)
    for note in result.notes:
        messages.warning(request, note)
    for number, _i, reason in result.rejected[:20]:
        messages.error(request, _("row %(n)d: %(why)s") % {"n": number, "why": reason})
    if result.roster is not None:
        return redirect("funds:roster", result.roster.pk)
    return redirect("funds:policy", policy.code)


@login_required
def roster_page(request, pk):
    scope = scope_of(request.user)
    roster = selectors.roster_or_404(scope, pk)
    payees = [
        (p, mask_id_number(p.id_number), mask_card(p.bank_card), show(p.amount_fen))
        for p in selectors.payees(scope, roster)[:500]
    ]
    totals = selectors.totals(scope, roster.policy, roster)
    return render(
        request,
        "funds/roster.html",
        {
            "roster": roster,
            "payees": payees,
            "more": roster.rows - len(payees),
            "total": show(roster.total_fen),
            "stated": show(roster.stated_total_fen) if roster.stated_total_fen else "",
            "grid": _grid(totals),
            "reviewable": roster.status == RosterStatus.SUBMITTED
            and scope.can(Cap.ALLOWANCE_APPROVE),
        },
    )


@login_required
def roster_rejects(request, pk):
    """The rejected rows of an upload, to correct and send again (audited: they hold IDs)."""
    scope = scope_of(request.user)
    scope.require(Cap.ALLOWANCE_SUBMIT)
    roster = selectors.roster_or_404(scope, pk)
    path = Path(roster.rejects_file) if roster.rejects_file else None
    if path is None or not path.is_file():
        raise Http404
    record_audit(
        user=request.user,
        action=AuditAction.EXPORT,
        object_type="allowance_rejects",
        object_id=roster.pk,
        region_path=roster.region_path,
        request=request,
    )
    name = spreadsheets.rejects_name(roster.filename)
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


@login_required
@require_POST
def approve(request, pk):
    scope = scope_of(request.user)
    scope.require(Cap.ALLOWANCE_APPROVE)
    roster = selectors.roster_or_404(scope, pk)
    result = check_approve(
        policy=roster.policy, rosters=[roster.pk], user=request.user, scope_path=scope.path
    )
    messages.success(
        request,
        _("%(n)d persons approved, %(total)s.")
        % {"n": result.approved, "total": show(result.total_fen)},
    )
    return redirect("funds:roster", roster.pk)


@login_required
@require_POST
def return_roster(request, pk):
    scope = scope_of(request.user)
    scope.require(Cap.ALLOWANCE_APPROVE)
    roster = selectors.roster_or_404(scope, pk)
    try:
        check_return(roster=roster, reason=request.POST.get("reason", ""), user=request.user)
    except FundsInvalid as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("The roster went back to %(u)s.") % {"u": roster.unit})
    return redirect("funds:roster", roster.pk)


@login_required
@require_POST
def payfile(request, code):
    """A new payment file of every approved person not yet in one."""
    scope = scope_of(request.user)
    scope.require(Cap.PAY)
    policy = selectors.policy_or_404(scope, code)
    try:
        batch = check_pay_batch(policy=policy, user=request.user, scope_path=scope.path)
    except FundsInvalid as e:
        messages.error(request, str(e))
        return redirect("funds:policy", policy.code)
    messages.success(
        request,
        _("Payment file %(b)d: %(n)d persons, %(total)s. Download it below.")
        % {"b": batch.pk, "n": batch.rows, "total": show(batch.total_fen)},
    )
    return redirect("funds:policy", policy.code)


@login_required
def batch_file(request, pk):
    scope = scope_of(request.user)
    batch = selectors.batch_or_404(scope, pk)
    response = HttpResponse(content_type=XLSX)
    name = f"payfile-{batch.policy.code}-{batch.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    write_payfile(batch=batch, target=response, user=request.user, request=request)
    return response


@login_required
@require_POST
def confirm(request, pk):
    """The bank's confirmation of a payment file: each row paid or failed."""
    scope = scope_of(request.user)
    batch = selectors.batch_or_404(scope, pk)
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, _("choose the bank's confirmation file (.xlsx or .csv)"))
        return redirect("funds:policy", batch.policy.code)
    try:
        spreadsheets.check_upload_size(file.size)
        result = check_confirm(batch=batch, data=file.read(), filename=file.name, user=request.user)
    except (FundsInvalid, spreadsheets.SpreadsheetError) as e:
        messages.error(request, str(e))
        return redirect("funds:policy", batch.policy.code)
    messages.success(
        request,
        _("%(paid)d paid, %(failed)d failed, %(rejected)d rows not understood.")
        % {"paid": result.paid, "failed": result.failed, "rejected": len(result.rejected)},
    )
    for number, _i, reason in result.rejected[:20]:
        messages.error(request, _("row %(n)d: %(why)s") % {"n": number, "why": reason})
    return redirect("funds:policy", batch.policy.code)


@login_required
@require_POST
def pay_again(request, pk):
    scope = scope_of(request.user)
    payee = selectors.payee_or_404(scope, pk)
    try:
        check_pay_again(
            payee=payee,
            bank_card_number=request.POST.get("bank_card", ""),
            bank=request.POST.get("bank", ""),
            user=request.user,
        )
    except FundsInvalid as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("%(n)s goes into the next payment file.") % {"n": payee.name})
    return redirect("funds:policy", payee.policy.code)
