from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction

LOCKED = _("Too many failed logins. Wait 15 minutes or ask your administrator to unlock.")


class _SaysWhenLocked:
    """A login form that says "too many failed logins" when the login policy
    (``backends.LoginPolicyBackend``) refused the attempt, rather than "wrong password"."""

    def clean(self):
        try:
            return super().clean()  # type: ignore[misc]
        except ValidationError:
            if getattr(self.request, "login_lock", None) is not None:  # type: ignore[attr-defined]
                raise ValidationError(LOCKED, code="locked") from None
            raise


class RateLimitedLoginForm(_SaysWhenLocked, AuthenticationForm):
    """The app's login form."""


class RateLimitedAdminLoginForm(_SaysWhenLocked, AdminAuthenticationForm):
    """The Django admin's login form."""


class AuditFilterForm(forms.Form):
    """The audit page's filters; each is optional, a bad one is ignored and said so."""

    action = forms.ChoiceField(
        required=False,
        choices=[("", _("Any action")), *AuditAction.choices],
        widget=forms.Select(attrs={"aria-label": _("Action")}),
    )
    user = forms.CharField(required=False, max_length=150)
    person = forms.IntegerField(required=False, min_value=1)
    ip = forms.GenericIPAddressField(required=False)
    since = forms.DateField(required=False)
    until = forms.DateField(required=False)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("the end date is before the start date"))
        return data
