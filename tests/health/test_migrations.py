"""The migration to one open case per person closes the doubles a resubmitted form made."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("health", "0003_leaner_checkin_indexes")]
AFTER = [("health", "0004_client_ids_per_person_one_open_case_overnight")]


@pytest.mark.django_db(transaction=True)
def test_doubled_open_cases_are_closed_as_doubles_of_the_first(tree):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Case = old.get_model("health", "Case")
    made = [
        Case.objects.create(
            person_id=tree.child_a.pk,
            region_path=tree.child_a.region_path,
            classification="confirmed",
            report_on=dt.date(2026, 3, 1),
        ).pk
        for _ in range(3)
    ]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("health", "Case")
    rows = list(new.objects.order_by("id").values_list("id", "closed_on", "close_reason"))
    assert rows[0] == (made[0], None, "")
    assert [r[1] for r in rows[1:]] == [dt.date(2026, 3, 1)] * 2
    assert all(str(made[0]) in r[2] for r in rows[1:])
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # the later tests need the schema
