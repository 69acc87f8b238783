from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "fangkong.funds"
    verbose_name = "Funds"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .report import register_section

        register_section()
