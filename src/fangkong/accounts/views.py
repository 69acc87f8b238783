from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from fangkong.common.paging import page_of
from fangkong.common.params import int_or

from .forms import AuditFilterForm, RateLimitedLoginForm
from .scope import scope_of
from .selectors import audit_entries

AUDIT_PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    form_class = RateLimitedLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def audit_log(request):
    """The audit log of the user's region, newest first: logins, failures, lockouts, views,
    reveals, exports, imports; filtered by action, account, person, address and dates."""
    scope = scope_of(request.user)
    form = AuditFilterForm(request.GET)
    form.is_valid()  # a bad filter is dropped (and said so); the others still apply
    f = form.cleaned_data
    qs = audit_entries(
        scope,
        action=f.get("action") or "",
        username=f.get("user") or "",
        person_id=f.get("person"),
        ip=f.get("ip") or "",
        since=f.get("since"),
        until=f.get("until"),
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "accounts/audit.html",
        {
            "form": form,
            "page": page_of(qs, int_or(request.GET.get("page"), 1), AUDIT_PAGE_SIZE),
            "query": params.urlencode(),
            "today": timezone.localdate().isoformat(),
        },
    )
