"""Users with a role and a scope region; the audit log; API tokens."""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction, LockKind, Role


class User(AbstractUser):
    """A staff member: what they may do comes from ``role``, where from ``scope_region``."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    scope_region = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("scope region"),
    )
    phone = models.CharField(_("phone"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class AuditEntry(models.Model):
    """Who saw, revealed, exported or imported what, who logged in or failed to, when, from
    which address. Append-only. Views of persons' records are the bulk of it (written in
    batches, see viewlog.py): two indexes answer "who has seen this person" (object, time) and
    "whom has this account seen" (user, time); the time index serves the newest-first page."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # (user, at) below serves it
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    region_path = models.CharField(max_length=255, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["object_id", "at"], name="audit_object_at"),
            models.Index(fields=["user", "at"], name="audit_user_at"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"

    @property
    def lock_label(self) -> str:
        """For a lockout: what was locked (the account or the address)."""
        lock = self.detail.get("lock") if isinstance(self.detail, dict) else None
        return str(LockKind(lock).label) if lock in LockKind.values else ""


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.user} {self.name}"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
