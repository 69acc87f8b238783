"""Audit log, login rate limiting and API tokens."""

from __future__ import annotations

import atexit
import hashlib
import ipaddress
import json
import logging
import secrets
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from fangkong.common.db import BulkWriter
from fangkong.regions.models import Region

from .choices import AuditAction, LockKind, Role
from .models import ApiToken, AuditEntry, User
from .viewlog import Flusher, View, ViewBuffer

log = logging.getLogger(__name__)


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
    username: str = "",
) -> AuditEntry:
    """Append one entry to the audit log (``username``: what was typed, when no account has
    it)."""
    return AuditEntry.objects.create(
        user=user if user is not None and user.pk else None,
        username=getattr(user, "username", "") or username,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        region_path=region_path,
        ip=client_ip(request),
        detail=detail or {},
    )


# Failed logins are counted twice, with different limits: per account (a brute force on one
# password stops after LOGIN_FAILURE_LIMIT tries) and per address (a password spray across many
# accounts stops after LOGIN_ADDRESS_FAILURE_LIMIT), so one person's typos lock only their own
# account, never the office behind the same NAT. docs/scope.md says why these numbers.
def _account_key(username: str) -> str:
    # hashed: a username is whatever a caller typed, of any length and any characters
    return "login-fail:user:" + hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


def _address_key(ip: str | None) -> str | None:
    """One counter per IPv4 address, per IPv6 /64 (one subscriber's block: rotating addresses
    inside it is free)."""
    if not ip:
        return None
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return f"login-fail:ip:{addr.ipv4_mapped}"
        return f"login-fail:ip:{ipaddress.ip_network(f'{addr}/64', strict=False)}"
    return f"login-fail:ip:{addr}"


def login_lock(*, username: str, ip: str | None) -> LockKind | None:
    """What refuses a login now: the account or the address (too many recent failures), or
    None."""
    account, address = _account_key(username), _address_key(ip)
    counts = cache.get_many([k for k in (account, address) if k])
    if counts.get(account, 0) >= settings.LOGIN_FAILURE_LIMIT:
        return LockKind.ACCOUNT
    if address and counts.get(address, 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        return LockKind.ADDRESS
    return None


def _count(key: str) -> int:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def _account_named(username: str) -> User | None:
    if not username or len(username) > 150:
        return None
    return User.objects.filter(username=username).select_related("scope_region").first()


def _home_path(user: User | None) -> str:
    """Where entries about an account belong: its scope region (none: headquarters only)."""
    region = user.scope_region if user is not None else None
    return region.path if region is not None else ""


def _door(request: HttpRequest | None) -> dict[str, str]:
    return {"path": request.path[:200]} if request is not None else {}


def note_login_failure(*, username: str, request: HttpRequest | None) -> None:
    """Count a failed login for the account and the address, audit it, and audit a lockout
    when this failure reaches a limit."""
    account = _account_named(username)
    where = _home_path(account)
    name = username[:150]
    door = _door(request)
    record_audit(
        user=account,
        username=name,
        action=AuditAction.LOGIN_FAILED,
        region_path=where,
        request=request,
        detail=door,
    )
    if _count(_account_key(username)) == settings.LOGIN_FAILURE_LIMIT:
        record_audit(
            user=account,
            username=name,
            action=AuditAction.LOCKOUT,
            region_path=where,
            request=request,
            detail={**door, "lock": LockKind.ACCOUNT.value},
        )
    address = _address_key(client_ip(request))
    if address and _count(address) == settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        record_audit(
            user=None,
            action=AuditAction.LOCKOUT,
            request=request,
            detail={**door, "lock": LockKind.ADDRESS.value},
        )


def clear_login_failures(*, username: str) -> None:
    """Forget an account's failures (its password was just proved, or an administrator
    unlocked it). An address's count is never cleared by a login: a sprayer who owns one
    account must not reset it."""
    cache.delete(_account_key(username))


def note_login(*, user: User, request: HttpRequest | None) -> None:
    """Audit a session login (the app's page or the admin's)."""
    record_audit(
        user=user,
        action=AuditAction.LOGIN,
        region_path=_home_path(user),
        request=request,
        detail=_door(request),
    )


_views = ViewBuffer()
_flusher = Flusher()
_timer = {"on": False}
_VIEW_FIELDS = [
    "at",
    "user",
    "username",
    "action",
    "object_type",
    "object_id",
    "region_path",
    "ip",
    "detail",
]


def record_person_view(*, request: HttpRequest, person_id: int, region_path: str) -> None:
    """Note that the request's user opened the record of person ``person_id``; the read log is
    written in bulk later (``flush_person_views``), not in this request."""
    user = request.user
    _views.add(
        View(
            at=timezone.now(),
            user_id=user.pk,
            username=user.get_username(),
            person_id=person_id,
            region_path=region_path,
            ip=client_ip(request),
            path=request.path[:200],
        )
    )
    if _timer["on"]:
        _flusher.ensure_running(_flush_from_timer, settings.VIEW_LOG_SECONDS)


def _view_rows(views: list[View]) -> list[tuple]:
    adapt = connection.ops.adapt_datetimefield_value
    # an account deleted since its views: keep them by name (a dangling id fails the batch)
    ids = {v.user_id for v in views if v.user_id is not None}
    alive = set(User.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    return [
        (
            adapt(v.at),
            v.user_id if v.user_id in alive else None,
            v.username,
            AuditAction.VIEW.value,
            "person",
            str(v.person_id),
            v.region_path,
            v.ip,
            json.dumps({"path": v.path}, ensure_ascii=False),
        )
        for v in views
    ]


def flush_person_views() -> int:
    """Write the views waiting in this process as audit entries, in one COPY (PostgreSQL) or
    batched INSERT; how many. A failed write keeps them for the next flush."""
    views = _views.take()
    if not views:
        return 0
    try:
        writer = BulkWriter(AuditEntry, _VIEW_FIELDS)
        writer.rows = _view_rows(views)
        with transaction.atomic():
            writer.flush()
    except DatabaseError:
        dropped = _views.put_back(views)
        log.exception("read log: %d views kept for the next flush, %d dropped", len(views), dropped)
        return 0
    return len(views)


def flush_person_views_if_due(**_signal: object) -> None:
    """After a response: flush when VIEW_LOG_BATCH views wait or the oldest is
    VIEW_LOG_SECONDS old."""
    if _views.due(batch=settings.VIEW_LOG_BATCH, seconds=settings.VIEW_LOG_SECONDS):
        flush_person_views()


def _flush_from_timer() -> bool:
    try:
        flush_person_views_if_due()
    except Exception:  # the thread must live on
        log.exception("read log: the timed flush failed")
    finally:
        connection.close()  # this thread's own connection
    return True


def _flush_at_exit() -> None:
    try:
        flush_person_views()
    except Exception:
        log.exception("read log: the flush at exit failed")


def run_view_log_timer() -> None:
    """In a server process: flush the read log every VIEW_LOG_SECONDS even without requests,
    and at exit (called by ``fangkong.wsgi``; never in tests or commands)."""
    if not _timer["on"]:
        _timer["on"] = True
        atexit.register(_flush_at_exit)


def forget_person_views() -> None:
    """Drop views not yet written (between tests)."""
    _views.take()


def issue_token(*, user: User, name: str = "", request: HttpRequest | None = None) -> str:
    """Create an API token for ``user``; the key is returned once and stored only hashed."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=ApiToken.hash(key), name=name[:100])
    record_audit(
        user=user,
        action=AuditAction.TOKEN_CREATED,
        region_path=_home_path(user),
        request=request,
        detail=_door(request),
    )
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
