from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fangkong.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.core.signals import request_finished

        from . import services

        # a session login through any door (the app's page, the admin's) is audited once
        user_logged_in.connect(_audit_login, dispatch_uid="fangkong-audit-login")
        # the read log is written after a response, in bulk (services.flush_person_views)
        request_finished.connect(
            services.flush_person_views_if_due, dispatch_uid="fangkong-view-log"
        )


def _audit_login(sender, request, user, **kwargs):
    from .services import note_login

    note_login(user=user, request=request)
