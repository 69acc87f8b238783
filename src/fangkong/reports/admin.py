from django.contrib import admin

from .models import DailyReport


@admin.register(DailyReport)
class DailyReportAdmin(admin.ModelAdmin):
    """Issued reports, to read only: nobody adds, changes or deletes one here (a correction is
    a new version, issued from the report page)."""

    list_display = ("region", "on", "version", "issued_by", "issued_at", "content_hash")
    list_filter = ("on",)
    search_fields = ("region__code", "region__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
