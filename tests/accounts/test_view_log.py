"""Who looked at whom: every view of a person's record, written in bulk after the response."""

import threading

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import AuditEntry
from fangkong.accounts.services import flush_person_views
from fangkong.accounts.viewlog import Flusher, View, ViewBuffer


def views():
    return AuditEntry.objects.filter(action=AuditAction.VIEW)


@pytest.mark.parametrize(
    "page",
    [
        lambda t: reverse("people:person", args=[t.person_a.pk]),
        lambda t: reverse("health:person", args=[t.person_a.pk]),
        lambda t: reverse("api:get_person", args=[t.person_a.pk]),
    ],
    ids=["person page", "health page", "api detail"],
)
def test_opening_a_persons_record_is_logged_with_who_whom_when_and_where(page, tree, people, login):
    url = page(tree)
    assert login(people.grid_a).get(url, REMOTE_ADDR="198.51.100.4").status_code == 200
    flush_person_views()
    entry = views().get()
    assert (entry.user, entry.username, entry.object_type) == (people.grid_a, "grid_a", "person")
    assert (entry.object_id, entry.region_path) == (str(tree.person_a.pk), tree.grid_a.path)
    assert (entry.ip, entry.detail["path"]) == ("198.51.100.4", url)
    assert entry.at is not None


def test_a_view_is_not_written_in_the_request_but_in_a_batch_after_responses(
    tree, people, login, settings, django_assert_max_num_queries
):
    settings.VIEW_LOG_BATCH = 3
    settings.VIEW_LOG_SECONDS = 3600
    client = login(people.grid_a)
    url = reverse("people:person", args=[tree.person_a.pk])
    client.get(url)
    client.get(url)
    assert views().count() == 0  # waiting in the process
    client.get(url)  # the third fills the batch: written once this response is done
    assert views().count() == 3
    settings.VIEW_LOG_BATCH = 100
    for _ in range(5):
        client.get(url)
    # one insert (a COPY on PostgreSQL, not counted there) for the batch whatever its size, its
    # accounts read, a savepoint around it
    with django_assert_max_num_queries(4):
        assert flush_person_views() == 5


def test_views_waiting_longer_than_the_interval_are_written_after_the_next_response(
    tree, people, login, settings
):
    settings.VIEW_LOG_SECONDS = 0
    login(people.grid_a).get(reverse("people:person", args=[tree.person_a.pk]))
    assert views().count() == 1


def test_a_failed_write_keeps_the_views_for_the_next_flush(tree, people, login, monkeypatch):
    login(people.grid_a).get(reverse("people:person", args=[tree.person_a.pk]))

    def database_away(self):
        raise DatabaseError("connection refused")

    with monkeypatch.context() as m:
        m.setattr("fangkong.common.db.BulkWriter.flush", database_away)
        assert flush_person_views() == 0
    assert flush_person_views() == 1 and views().count() == 1


def test_views_of_an_account_deleted_before_the_flush_are_kept_by_name(tree, people, login):
    login(people.grid_b).get(reverse("people:person", args=[tree.person_b.pk]))
    people.grid_b.delete()
    assert flush_person_views() == 1
    entry = views().get()
    assert (entry.user, entry.username) == (None, "grid_b")


def test_a_supervisor_asks_who_has_seen_a_person(tree, people, login, client):
    login(people.grid_a).get(reverse("people:person", args=[tree.person_a.pk]))
    login(people.community).get(reverse("health:person", args=[tree.person_a.pk]))
    login(people.grid_b).get(reverse("people:person", args=[tree.person_b.pk]))
    flush_person_views()
    page = login(people.district).get(reverse("people:person", args=[tree.person_a.pk]))
    link = reverse("accounts:audit") + f"?person={tree.person_a.pk}"
    assert link in page.content.decode()
    text = client.get(link).content.decode()
    listed = text.split('<ul class="cards">')[1]
    assert "grid_a" in listed and "community" in listed and "grid_b" not in listed
    assert "查看了人员档案" in listed


def test_only_supervisors_get_the_link_from_the_person_page(tree, people, login):
    link = reverse("accounts:audit") + f"?person={tree.person_a.pk}"
    page = login(people.grid_a).get(reverse("people:person", args=[tree.person_a.pk]))
    assert link not in page.content.decode()


def test_a_supervisor_asks_whom_an_account_has_seen_today(tree, people, login):
    client = login(people.grid_a)
    client.get(reverse("people:person", args=[tree.person_a.pk]))
    client.get(reverse("people:person", args=[tree.child_a.pk]))
    flush_person_views()
    AuditEntry.objects.filter(object_id=str(tree.child_a.pk)).update(at="2020-01-01T08:00:00Z")
    district = login(people.district)
    text = district.get(reverse("accounts:audit")).content.decode()
    today = timezone.localdate().isoformat()
    assert f"?user=grid_a&amp;action=view&amp;since={today}" in text
    seen = district.get(
        reverse("accounts:audit"), {"user": "grid_a", "action": "view", "since": today}
    ).content.decode()
    assert f'?person={tree.person_a.pk}"' in seen and f'?person={tree.child_a.pk}"' not in seen


def test_the_buffer_is_due_by_size_or_by_age():
    buffer = ViewBuffer()
    assert not buffer.due(batch=2, seconds=0)
    view = View(at=None, user_id=1, username="u", person_id=1, region_path="", ip=None, path="/")
    buffer.add(view)
    assert not buffer.due(batch=2, seconds=60) and buffer.due(batch=2, seconds=0)
    buffer.add(view)
    assert buffer.due(batch=2, seconds=60)
    assert len(buffer.take()) == 2 and len(buffer) == 0


def test_the_timer_thread_flushes_without_requests():
    called = threading.Event()

    def flush():
        called.set()
        return False  # and stop

    Flusher().ensure_running(flush, 0.01)
    assert called.wait(2)


def test_in_a_server_process_a_view_starts_the_flush_timer(tree, people, rf, monkeypatch):
    from fangkong.accounts import services

    started = []
    monkeypatch.setitem(services._timer, "on", True)
    monkeypatch.setattr(services._flusher, "ensure_running", lambda f, s: started.append(s))
    request = rf.get("/")
    request.user = people.grid_a
    services.record_person_view(request=request, person_id=1, region_path=tree.grid_a.path)
    assert started == [5.0]
