from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "fangkong.screening"
    label = "screening"
    verbose_name = _("Mass testing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fangkong.common.timers import register_step

        from . import panels
        from .report import register_section
        from .services.escalation import escalate_overdue_tasks

        register_section()
        panels.register()
        register_step("retests and re-samples", escalate_overdue_tasks)
