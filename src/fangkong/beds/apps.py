from django.apps import AppConfig


class BedsConfig(AppConfig):
    name = "fangkong.beds"
    verbose_name = "Beds"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .report import register_section

        register_section()
