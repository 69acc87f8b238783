"""One login policy for every door (the app's login, the admin's, the API token endpoint):
failures counted per account and per address, with different limits, and audited."""

import pytest
from django.urls import reverse

from fangkong.accounts.choices import AuditAction, LockKind
from fangkong.accounts.models import AuditEntry
from fangkong.accounts.services import login_lock, note_login_failure

from ..conftest import PASSWORD

APP = reverse("accounts:login")
ADMIN = reverse("admin:login")
TOKEN = reverse("api:create_token")


@pytest.fixture
def admin_user(people):
    user = people.hq
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def _app(client, username, password, ip="198.51.100.1"):
    return client.post(APP, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _admin(client, username, password, ip="198.51.100.1"):
    return client.post(
        ADMIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip
    )


def _token(client, username, password, ip="198.51.100.1"):
    return client.post(
        TOKEN,
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def test_the_admin_login_refuses_the_right_password_after_repeated_failures(admin_user, client):
    for _ in range(12):
        assert _admin(client, "hq", "wrong").status_code == 200
    r = _admin(client, "hq", PASSWORD)
    assert r.status_code == 200 and "登录失败次数过多" in r.content.decode()
    assert "_auth_user_id" not in client.session
    failures = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, username="hq")
    assert failures.count() == 5  # refused unchecked once locked, and not counted again
    assert {e.detail["path"] for e in failures} == {ADMIN}
    assert failures.first().ip == "198.51.100.1"


def test_an_admin_login_is_audited_like_the_apps(admin_user, client):
    r = _admin(client, "hq", PASSWORD)
    assert r.status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert (entry.username, entry.ip, entry.detail["path"]) == ("hq", "198.51.100.1", ADMIN)


def test_failures_at_one_door_lock_the_others(admin_user, client):
    for _ in range(5):
        _app(client, "hq", "wrong")
    assert "登录失败次数过多" in _admin(client, "hq", PASSWORD).content.decode()
    assert _token(client, "hq", PASSWORD).status_code == 429
    for _ in range(5):
        _token(client, "grid_a", "wrong", ip="198.51.100.2")
    assert (
        "登录失败次数过多" in _app(client, "grid_a", PASSWORD, ip="198.51.100.3").content.decode()
    )


def test_one_persons_typos_lock_their_account_not_the_office(people, client):
    """An office behind one NAT: grid_a mistypes until locked; grid_b, same address, logs in."""
    for _ in range(6):
        _app(client, "grid_a", "wrong", ip="203.0.113.7")
    assert "登录失败次数过多" in _app(client, "grid_a", PASSWORD, ip="203.0.113.7").content.decode()
    assert _app(client, "grid_b", PASSWORD, ip="203.0.113.7").status_code == 302


def test_a_password_spray_from_one_address_is_stopped(people, client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for name in ["hq", "district", "street", "community", "grid_b", "nobody"]:
        _app(client, name, "Summer2026!", ip="203.0.113.9")  # one guess per account
    r = _app(client, "grid_a", PASSWORD, ip="203.0.113.9")
    assert r.status_code == 200 and "登录失败次数过多" in r.content.decode()
    assert _app(client, "grid_a", PASSWORD, ip="203.0.113.10").status_code == 302
    lock = AuditEntry.objects.get(action=AuditAction.LOCKOUT)
    assert (lock.detail["lock"], lock.ip, lock.region_path) == ("address", "203.0.113.9", "")


def test_an_account_lockout_is_audited_once_in_the_accounts_region(tree, people, client):
    for _ in range(8):
        _app(client, "grid_a", "wrong")
    lock = AuditEntry.objects.get(action=AuditAction.LOCKOUT)
    assert (lock.username, lock.detail["lock"]) == ("grid_a", "account")
    assert lock.region_path == tree.grid_a.path
    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).first()
    assert (failed.user, failed.region_path) == (people.grid_a, tree.grid_a.path)


def test_a_failed_login_of_an_unknown_name_belongs_to_no_region(people, client):
    _app(client, "no-such-user", "x")
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (entry.user, entry.username, entry.region_path) == (None, "no-such-user", "")


def test_an_ipv6_subscribers_block_is_counted_as_one_address(db, settings, rf):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for i in range(3):
        note_login_failure(username=f"u{i}", request=rf.post("/", REMOTE_ADDR=f"2001:db8:1:2::{i}"))
    assert login_lock(username="x", ip="2001:db8:1:2:ffff::1") == LockKind.ADDRESS
    assert login_lock(username="x", ip="2001:db8:1:3::1") is None


def test_a_long_or_odd_username_is_counted_without_trouble(db, client):
    for _ in range(5):
        r = _token(client, "名" * 5000 + " \n\t", "x")
    assert r.status_code == 401
    assert _token(client, "名" * 5000 + " \n\t", "x").status_code == 429


def test_an_administrator_unlocks_an_account(admin_user, people, client):
    for _ in range(5):
        _app(client, "grid_a", "wrong")
    client.force_login(admin_user)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_login", "_selected_action": [people.grid_a.pk]},
    )
    client.logout()
    assert _app(client, "grid_a", PASSWORD).status_code == 302


def test_a_token_issued_is_audited_in_the_accounts_region(tree, people, client):
    assert _token(client, "grid_a", PASSWORD).status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.TOKEN_CREATED)
    assert (entry.username, entry.ip, entry.region_path) == (
        "grid_a",
        "198.51.100.1",
        tree.grid_a.path,
    )
