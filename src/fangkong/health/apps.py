from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "fangkong.health"
    verbose_name = "Health monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fangkong.people.moves import register_mover

        from .moves import move_health_records
        from .report import register_section

        register_mover(move_health_records)
        register_section()
