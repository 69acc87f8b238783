from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Commands that run the whole system: seed, demo, serve, import."""

    name = "fangkong.ops"
    label = "ops"

    def ready(self) -> None:
        from .planned_use import register_planned_use

        register_planned_use()
