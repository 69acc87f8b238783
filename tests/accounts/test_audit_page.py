from django.urls import reverse


def test_a_district_officer_reads_who_revealed_and_exported_whom(tree, people, login):
    login(people.grid_a).post(reverse("people:reveal", args=[tree.person_a.pk]))
    login(people.street).get(reverse("people:export"))
    client = login(people.district)
    text = client.get(reverse("accounts:audit")).content.decode()
    assert "grid_a" in text and "street" in text
    assert "查看了未脱敏的个人信息" in text and "导出" in text
    assert reverse("people:person", args=[tree.person_a.pk]) in text
    only = client.get(reverse("accounts:audit"), {"action": "export"}).content.decode()
    assert "street" in only and "查看了未脱敏" not in only.split("</select>")[1]
    by_user = client.get(reverse("accounts:audit"), {"user": "grid_a"}).content.decode()
    assert "导出 ·" not in by_user


def test_the_menu_offers_the_audit_log_only_to_supervisors(tree, people, login):
    assert (
        reverse("accounts:audit") in login(people.hq).get(reverse("people:search")).content.decode()
    )
    text = login(people.grid_a).get(reverse("people:search")).content.decode()
    assert reverse("accounts:audit") not in text


def _fail(client, username, ip="198.51.100.8"):
    client.post(
        reverse("accounts:login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=ip
    )


def _listed(response) -> str:
    return response.content.decode().split('<ul class="cards">')[1]


def test_supervisors_read_failed_logins_and_lockouts_of_the_accounts_in_their_region(
    tree, people, client, login
):
    for _ in range(5):
        _fail(client, "grid_a")
    _fail(client, "admin' OR 1=1", ip="198.51.100.9")
    district = _listed(login(people.district).get(reverse("accounts:audit")))
    assert "登录失败" in district and "登录被锁定" in district and "账号" in district
    assert "grid_a" in district and "198.51.100.8" in district
    assert "198.51.100.9" not in district  # a name no account has belongs to no region
    hq = _listed(login(people.hq).get(reverse("accounts:audit")))
    assert "198.51.100.9" in hq and "admin&#x27; OR 1=1" in hq


def test_a_district_does_not_read_the_entries_of_another_district(tree, people, login):
    from fangkong.accounts.services import flush_person_views

    login(people.hq).get(reverse("people:person", args=[tree.person_c.pk]))
    flush_person_views()
    text = _listed(login(people.district).get(reverse("accounts:audit"), {"action": "view"}))
    assert f"?person={tree.person_c.pk}" not in text
    text = _listed(login(people.hq).get(reverse("accounts:audit"), {"action": "view"}))
    assert f"?person={tree.person_c.pk}" in text


def test_the_audit_log_filters_by_address_and_dates(tree, people, client, login):
    from fangkong.accounts.models import AuditEntry

    _fail(client, "grid_a", ip="198.51.100.1")
    _fail(client, "grid_b", ip="198.51.100.2")
    AuditEntry.objects.filter(username="grid_b").update(at="2026-03-01T02:00:00Z")
    district = login(people.district)
    by_ip = _listed(district.get(reverse("accounts:audit"), {"ip": "198.51.100.1"}))
    assert "grid_a" in by_ip and "grid_b" not in by_ip
    march = _listed(
        district.get(reverse("accounts:audit"), {"since": "2026-03-01", "until": "2026-03-01"})
    )
    assert "grid_b" in march and "grid_a" not in march


def test_a_bad_filter_is_said_and_dropped(tree, people, login):
    r = login(people.district).get(
        reverse("accounts:audit"), {"ip": "not-an-address", "since": "2026-03-02", "until": "x"}
    )
    assert r.status_code == 200
    assert 'role="alert"' in r.content.decode()


def test_the_pages_of_the_audit_log_keep_the_filters(tree, people, client, login, settings):
    for _ in range(3):
        _fail(client, "grid_a")
    import fangkong.accounts.views as views

    settings.LOGIN_FAILURE_LIMIT = 100
    original, views.AUDIT_PAGE_SIZE = views.AUDIT_PAGE_SIZE, 2
    try:
        text = login(people.district).get(
            reverse("accounts:audit"), {"action": "login_failed", "user": "grid_a"}
        )
    finally:
        views.AUDIT_PAGE_SIZE = original
    assert "?action=login_failed&amp;user=grid_a&amp;page=2" in text.content.decode()


def test_the_audit_page_reads_a_page_in_a_fixed_number_of_queries(
    tree, people, client, login, django_assert_num_queries
):
    for _ in range(6):
        _fail(client, "grid_a")
        _fail(client, "grid_b")
    district = login(people.district)
    district.get(reverse("accounts:audit"))
    with django_assert_num_queries(4):  # session, user, scope region, the page
        district.get(reverse("accounts:audit"))


def test_an_imported_ledger_records_the_uploaders_address(tree, people, login):
    import uuid

    from django.core.files.uploadedfile import SimpleUploadedFile

    from fangkong.accounts.models import AuditEntry

    from ..people.ledgers import HEADER, ident, xlsx

    login(people.grid_a).post(
        reverse("people:ledger_upload"),
        {
            "region": tree.grid_a.code,
            "upload_id": str(uuid.uuid4()),
            "file": SimpleUploadedFile("台账.xlsx", xlsx([HEADER, [1, "赵一", "男", ident(1)]])),
        },
        REMOTE_ADDR="198.51.100.30",
    )
    assert AuditEntry.objects.get(action="import").ip == "198.51.100.30"
