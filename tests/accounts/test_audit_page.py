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
