from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .forms import RateLimitedAdminLoginForm
from .models import AuditEntry, User
from .services import clear_login_failures

# The admin's login goes through the same policy as the app's (backends.LoginPolicyBackend);
# this form only says "locked" rather than "wrong password" when it refuses.
admin.site.login_form = RateLimitedAdminLoginForm


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "role", "scope_region", "is_active")
    list_filter = ("role", "is_active")
    raw_id_fields = ("scope_region",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Fangkong", {"fields": ("role", "scope_region", "phone")}),
    )
    actions = ["unlock_login"]

    @admin.action(description=_("Unlock login (forget failed logins)"))
    def unlock_login(self, request, queryset):
        users = list(queryset)
        for user in users:
            clear_login_failures(username=user.username)
        self.message_user(
            request,
            ngettext("%(n)d account unlocked.", "%(n)d accounts unlocked.", len(users))
            % {"n": len(users)},
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "object_type", "object_id", "ip")
    list_filter = ("action",)
    search_fields = ("username", "object_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
