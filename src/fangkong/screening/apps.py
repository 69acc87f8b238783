from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "fangkong.screening"
    label = "screening"
    verbose_name = _("Mass testing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fangkong.common.timers import register_step
        from fangkong.people.moves import register_mover

        from . import panels
        from .moves import move_screening_counts
        from .report import register_section
        from .services.escalation import escalate_overdue_tasks

        # after health's mover (INSTALLED_APPS order): a move locks health's rows, then these
        register_mover(move_screening_counts)
        register_section()
        panels.register()
        register_step("retests and re-samples", escalate_overdue_tasks)
