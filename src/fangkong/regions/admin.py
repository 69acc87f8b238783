from django.contrib import admin

from .models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "path")
    list_filter = ("level",)
    search_fields = ("code", "name")
    readonly_fields = ("path", "depth", "parent")
