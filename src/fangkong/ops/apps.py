from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Commands that run the whole system: seed, demo, serve, import."""

    name = "fangkong.ops"
    label = "ops"
