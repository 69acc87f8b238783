from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction
from .services import (
    clear_login_failures,
    client_ip,
    login_locked,
    note_login_failure,
    record_audit,
)


class RateLimitedLoginForm(AuthenticationForm):
    """Django's login form, refusing an account or address after repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed logins. Wait 15 minutes or ask your administrator to unlock."),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if login_locked(username=username, ip=client_ip(self.request)):
            raise ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            note_login_failure(username=username, request=self.request)
            raise
        clear_login_failures(username=username)
        record_audit(user=self.get_user(), action=AuditAction.LOGIN, request=self.request)
        return cleaned
