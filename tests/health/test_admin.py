"""Region health rules are set in the admin and take effect at once in this process."""

from decimal import Decimal

from django.urls import reverse

from fangkong.accounts.models import User
from fangkong.health.models import HealthRule
from fangkong.health.rules import rules_for


def test_an_administrator_sets_a_regions_threshold_in_the_admin(tree, client):
    admin = User.objects.create_superuser("root", password="x")
    client.force_login(admin)
    assert rules_for(tree.grid_a.path).fever_threshold == Decimal("37.3")
    page = client.get(reverse("admin:health_healthrule_add"))
    assert page.status_code == 200
    client.post(
        reverse("admin:health_healthrule_add"),
        {"region": tree.community_a.pk, "fever_threshold": "37.5", "alert_minutes": "60"},
    )
    assert HealthRule.objects.get().region == tree.community_a
    rules = rules_for(tree.grid_a.path)
    assert (rules.fever_threshold, rules.alert_minutes) == (Decimal("37.5"), 60)
