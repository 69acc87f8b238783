import pytest
from django.urls import reverse

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import ApiToken, AuditEntry

from ..conftest import PASSWORD


def test_a_grid_worker_logs_in_and_lands_on_their_grid(tree, people, client):
    response = client.post(
        reverse("accounts:login"), {"username": "grid_a", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("people:region", args=[tree.grid_a.code])
    login = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert (login.username, login.ip) == ("grid_a", "127.0.0.1")


def test_repeated_failures_lock_the_account_even_with_the_right_password(people, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        r = client.post(reverse("accounts:login"), {"username": "grid_a", "password": "wrong"})
        assert "请输入一个正确的" in r.content.decode()
    r = client.post(reverse("accounts:login"), {"username": "grid_a", "password": PASSWORD})
    assert r.status_code == 200 and "登录失败次数过多" in r.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 3


def test_a_token_lets_an_api_client_in_with_the_same_scope(tree, people, client):
    r = client.post(
        reverse("api:create_token"),
        {"username": "grid_b", "password": PASSWORD, "name": "sync"},
        content_type="application/json",
    )
    token = r.json()["token"]
    assert ApiToken.objects.get().digest != token  # stored hashed
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    mine = client.get(reverse("api:get_person", args=[tree.person_b.pk]), **auth)
    theirs = client.get(reverse("api:get_person", args=[tree.person_a.pk]), **auth)
    assert (mine.status_code, theirs.status_code) == (200, 404)
    assert mine.json()["phone"] == "139****4321"


def test_a_wrong_token_or_password_is_refused(people, client):
    r = client.post(
        reverse("api:create_token"),
        {"username": "grid_b", "password": "nope"},
        content_type="application/json",
    )
    assert r.status_code == 401
    r = client.get(reverse("api:list_regions"), HTTP_AUTHORIZATION="Bearer made-up")
    assert r.status_code == 401


@pytest.mark.parametrize("url", ["/api/docs", "/api/openapi.json"])
def test_the_api_documents_itself(url, client):
    assert client.get(url).status_code == 200


def test_the_audit_log_records_the_address_behind_a_trusted_proxy(people, client, settings):
    settings.TRUSTED_PROXIES = frozenset({"10.0.0.5"})
    client.post(
        reverse("accounts:login"),
        {"username": "grid_a", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7",
    )
    assert AuditEntry.objects.get(action=AuditAction.LOGIN).ip == "198.51.100.7"


def test_a_forwarded_header_from_an_untrusted_caller_is_ignored(people, client, settings):
    settings.TRUSTED_PROXIES = frozenset()
    client.post(
        reverse("accounts:login"),
        {"username": "grid_a", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.20",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )
    assert AuditEntry.objects.get(action=AuditAction.LOGIN).ip == "198.51.100.20"


def test_failed_logins_are_counted_in_a_shared_redis_cache_when_configured(
    people, client, settings
):
    import os

    import redis

    raw = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        raw.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on this machine")
    # Keys of this process only, removed by name: another suite may share the Redis (CI runs
    # SQLite's and PostgreSQL's at once, each in workers), and clear() would empty its keys too.
    prefix = f"fk-test-{os.getpid()}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": prefix,
        }
    }
    settings.LOGIN_FAILURE_LIMIT = 2

    def ours():
        return list(raw.scan_iter(match=f"{prefix}:*"))

    if ours():
        raw.delete(*ours())
    try:
        for _ in range(2):
            client.post(reverse("accounts:login"), {"username": "grid_b", "password": "x"})
        assert any(b"login-fail:user:" in k for k in ours())
        assert any(b"login-fail:ip:127.0.0.1" in k for k in ours())
        r = client.post(reverse("accounts:login"), {"username": "grid_b", "password": PASSWORD})
        assert "登录失败次数过多" in r.content.decode()
    finally:
        if ours():
            raw.delete(*ours())


def test_an_administrator_adds_a_grid_worker_from_the_command_line(tree, monkeypatch, client):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-Passphrase-2026\n"))
    call_command(
        "adduser",
        "wang",
        "--role",
        "grid_worker",
        "--region",
        tree.grid_b.code,
        "--password-stdin",
        stdout=io.StringIO(),
    )
    assert client.login(username="wang", password="a-long-Passphrase-2026")
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError, match="too short|太短"):
        call_command(
            "adduser", "li", "--role", "street", "--region", tree.street.code, "--password-stdin"
        )
    with pytest.raises(CommandError, match="no region"):
        call_command("adduser", "li", "--role", "street", "--region", "999")


def test_another_system_posts_with_a_token_and_no_csrf_cookie(tree, people):
    """Real clients send no CSRF token: a bearer token is enough; a session cookie is not."""
    import uuid

    from django.test import Client

    from fangkong.accounts.services import issue_token

    token = issue_token(user=people.grid_a)
    strict = Client(enforce_csrf_checks=True)
    body = {
        "records": [
            {"client_id": str(uuid.uuid4()), "person_id": tree.person_a.pk, "temperature": "36.5"}
        ]
    }
    url = reverse("api:post_check_ins")
    r = strict.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert r.status_code == 200 and r.json()["created"] == 1
    strict.force_login(people.grid_a)
    r = strict.post(url, body, content_type="application/json")  # a cookie without CSRF
    assert r.status_code == 403
