from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "fangkong.assistance"
    verbose_name = "Assistance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks

        hooks.register()
