from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "fangkong.health"
    verbose_name = "Health monitoring"
    default_auto_field = "django.db.models.BigAutoField"
