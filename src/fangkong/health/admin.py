from django.contrib import admin

from .models import HealthRule


@admin.register(HealthRule)
class HealthRuleAdmin(admin.ModelAdmin):
    """A region's health settings; blank fields follow the region above (see docs/health.md)."""

    list_display = ("region", "fever_threshold", "alert_minutes", "universal_reporting")
    raw_id_fields = ("region",)
