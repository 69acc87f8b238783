"""Audit log, login rate limiting and API tokens."""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from fangkong.regions.models import Region

from .choices import AuditAction, Role
from .models import ApiToken, AuditEntry, User


def client_ip(request: HttpRequest | None) -> str | None:
    """The caller's address; behind a trusted proxy, the last address it did not add itself."""
    if request is None:
        return None
    addr = request.META.get("REMOTE_ADDR") or None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    trusted = settings.TRUSTED_PROXIES
    if addr in trusted and forwarded:
        for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
            if hop not in trusted:
                return hop
    return addr


def record_audit(
    *,
    user: User | None,
    action: AuditAction,
    object_type: str = "",
    object_id: str | int = "",
    region_path: str = "",
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log."""
    return AuditEntry.objects.create(
        user=user if user is not None and user.pk else None,
        username=getattr(user, "username", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        region_path=region_path,
        ip=client_ip(request),
        detail=detail or {},
    )


def _failure_keys(username: str, ip: str | None) -> list[str]:
    keys = [f"login-fail:user:{username.strip().lower()}"]
    if ip:
        keys.append(f"login-fail:ip:{ip}")
    return keys


def login_locked(*, username: str, ip: str | None) -> bool:
    """True when the account or the address has failed too often within the window."""
    limit = settings.LOGIN_FAILURE_LIMIT
    return any(cache.get(k, 0) >= limit for k in _failure_keys(username, ip))


def note_login_failure(*, username: str, request: HttpRequest | None) -> None:
    """Count a failed login for the account and the address, and audit it."""
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in _failure_keys(username, client_ip(request)):
        cache.add(key, 0, window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
    record_audit(
        user=None,
        action=AuditAction.LOGIN_FAILED,
        request=request,
        detail={"username": username[:150]},
    )


def clear_login_failures(*, username: str) -> None:
    cache.delete(_failure_keys(username, None)[0])


def issue_token(*, user: User, name: str = "", request: HttpRequest | None = None) -> str:
    """Create an API token for ``user``; the key is returned once and stored only hashed."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=ApiToken.hash(key), name=name[:100])
    record_audit(user=user, action=AuditAction.TOKEN_CREATED, request=request)
    return key


# digest -> (expires, user): a busy API client sends a request every few milliseconds, and the
# token's row need not be read each time. A deactivated account or a deleted token stops
# working within TOKEN_MEMO_SECONDS in every process.
TOKEN_MEMO_SECONDS = 30
_token_memo: dict[str, tuple[float, User]] = {}


def user_for_token(key: str) -> User | None:
    """The active user owning ``key``, touching its last-used time; None if unknown."""
    digest = ApiToken.hash(key)
    now_mono = time.monotonic()
    hit = _token_memo.get(digest)
    if hit is not None and hit[0] > now_mono:
        return hit[1]
    token = (
        ApiToken.objects.select_related("user", "user__scope_region")
        .filter(digest=digest, user__is_active=True)
        .first()
    )
    if token is None:
        _token_memo.pop(digest, None)
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    if len(_token_memo) > 10_000:
        _token_memo.clear()
    _token_memo[digest] = (now_mono + TOKEN_MEMO_SECONDS, token.user)
    return token.user


def forget_tokens() -> None:
    """Drop remembered tokens (after revoking one, and between tests)."""
    _token_memo.clear()


def create_user(
    *,
    username: str,
    password: str,
    role: str,
    scope_region: Region | None,
    full_name: str = "",
) -> User:
    """Create a staff account with a role and a scope region."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}; allowed: {', '.join(Role.values)}")
    user = User(username=username, role=role, scope_region=scope_region, first_name=full_name)
    user.set_password(password)
    user.save()
    return user
