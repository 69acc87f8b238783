from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from fangkong.common.paging import page_of
from fangkong.common.params import int_or

from .choices import AuditAction
from .forms import RateLimitedLoginForm
from .scope import scope_of
from .selectors import audit_entries

AUDIT_PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    form_class = RateLimitedLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def audit_log(request):
    """Who revealed or exported whose data in the user's region, newest first."""
    action = request.GET.get("action", "")
    username = request.GET.get("user", "")
    qs = audit_entries(scope_of(request.user), action=action, username=username)
    return render(
        request,
        "accounts/audit.html",
        {
            "page": page_of(qs, int_or(request.GET.get("page"), 1), AUDIT_PAGE_SIZE),
            "action": action,
            "user_filter": username,
            "actions": [(a.value, a.label) for a in AuditAction],
        },
    )
