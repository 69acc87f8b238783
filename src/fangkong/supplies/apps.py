from django.apps import AppConfig


class SuppliesConfig(AppConfig):
    name = "fangkong.supplies"
    verbose_name = "Supplies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .report import register_section

        register_section()
