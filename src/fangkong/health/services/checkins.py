"""Check-ins and the alerts they raise.

One function records any number of check-ins (a resident's one, a grid worker's household, a
batch of 1,000 from another system): every record is checked, the good ones are inserted in one
statement that skips client ids already stored (a retry never doubles), and the rows actually
inserted raise alerts when the temperature reaches the region's threshold or a red-flag symptom
is reported. An alert not closed by its deadline escalates to the community, then the street.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.accounts.services import record_audit
from fangkong.common.temperatures import TemperatureInvalid, parse_temperature

from ..choices import RED_FLAGS, AlertLevel, AlertReason, Outcome, Source, Symptom
from ..models import Alert, CheckIn
from ..rules import rules_for
from . import counters

MAX_BATCH = 1000
CLOCK_SKEW = dt.timedelta(minutes=5)  # a phone's clock a little ahead is not "the future"
MAX_AGE = dt.timedelta(days=30)
_SYMPTOMS = frozenset(Symptom.values)
_SOURCES = frozenset(Source.values)


class CheckInInvalid(ValueError):
    """Field name → what is wrong and what is allowed."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class CheckInData:
    client_id: uuid.UUID
    person_id: int
    temperature: Decimal | str | float
    measured_at: dt.datetime | None = None  # None: now
    symptoms: Sequence[str] = ()
    source: str = Source.SELF


@dataclass
class CheckInResult:
    created: int = 0
    duplicates: int = 0  # client ids already stored: retries, nothing written
    rejected: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (index, errors)
    alerts: list[int] = field(default_factory=list)  # person ids with a new alert


def clean_temperature(value: Decimal | str | float) -> Decimal:
    """The one temperature rule (``common.temperatures``), as a check-in error."""
    try:
        return parse_temperature(value)
    except TemperatureInvalid as e:
        raise CheckInInvalid({"temperature": str(e)}) from None


def _clean(item: CheckInData, now: dt.datetime) -> tuple[Decimal, dt.datetime, list[str]]:
    errors: dict[str, str] = {}
    temperature = Decimal(0)
    try:
        temperature = clean_temperature(item.temperature)
    except CheckInInvalid as e:
        errors.update(e.errors)
    measured_at = item.measured_at or now
    if timezone.is_naive(measured_at):
        measured_at = timezone.make_aware(measured_at)
    if measured_at > now + CLOCK_SKEW:
        errors["measured_at"] = _("the time of measurement is in the future")
    elif measured_at < now - MAX_AGE:
        errors["measured_at"] = _("the time of measurement is more than 30 days ago")
    unknown = [s for s in item.symptoms if s not in _SYMPTOMS]
    if unknown:
        errors["symptoms"] = _("unknown symptoms %(s)s; allowed: %(a)s") % {
            "s": ", ".join(map(str, unknown)),
            "a": ", ".join(Symptom.values),
        }
    if item.source not in _SOURCES:
        errors["source"] = _("unknown source; allowed: %(a)s") % {"a": ", ".join(Source.values)}
    if errors:
        raise CheckInInvalid(errors)
    return temperature, measured_at, sorted(set(item.symptoms))


def record_check_ins(
    *,
    items: Sequence[CheckInData],
    persons: dict[int, str],
    recorded_by: User | None = None,
) -> CheckInResult:
    """Check and store check-ins; ``persons`` maps each person the caller may report for to
    their region path (a person not in it is refused as unknown).

    A client id sent again for the same person with the same reading is a retry (counted as a
    duplicate, nothing written); the same id with another person or another reading is
    refused with a message, so no reading is lost to a reused id."""
    if len(items) > MAX_BATCH:
        raise CheckInInvalid({"records": _("at most %(n)d records a request") % {"n": MAX_BATCH}})
    now = timezone.now()
    result = CheckInResult()
    rows: list[tuple] = []
    batch: list[tuple[int, tuple]] = []  # (index, reading) of each row
    seen: dict[uuid.UUID, tuple] = {}
    for i, item in enumerate(items):
        path = persons.get(item.person_id)
        try:
            if path is None:
                raise CheckInInvalid({"person": _("no such person in your area")})
            temperature, measured_at, symptoms = _clean(item, now)
        except CheckInInvalid as e:
            result.rejected.append((i, e.errors))
            continue
        reading = _reading(item, temperature, symptoms, measured_at)
        if item.client_id in seen:
            if _same_reading(seen[item.client_id], reading):
                result.duplicates += 1
            else:
                result.rejected.append((i, _clash()))
            continue
        seen[item.client_id] = reading
        on = timezone.localtime(measured_at).date()
        rows.append(
            (
                item.client_id,
                item.person_id,
                path,
                measured_at,
                on,
                temperature,
                symptoms,
                item.source,
            )
        )
        batch.append((i, reading))
    if not rows:
        return result
    user_id = recorded_by.pk if recorded_by and recorded_by.pk else None
    # On PostgreSQL one INSERT (with the counters in the same statement) is atomic by itself;
    # a transaction (two more round trips) only when alerts must be stored with their
    # check-ins. SQLite counts in a second statement, so always in a transaction.
    alarming = any(
        _alert_reason(path, t, symptoms) for _c, _p, path, _m, _o, t, symptoms, _s in rows
    )
    atomic = alarming or connection.vendor != "postgresql"
    with transaction.atomic() if atomic else contextlib.nullcontext():
        inserted = _insert(rows, user_id, now)
        result.created = len(inserted)
        if len(inserted) < len(rows):
            _sort_out_skipped(rows, batch, inserted, result)
        if alarming:
            result.alerts = _open_alerts(inserted, now)
    result.rejected.sort(key=lambda r: r[0])
    return result


def _reading(item: CheckInData, t: Decimal, symptoms: list[str], at: dt.datetime) -> tuple:
    """What a retry repeats: the person, the temperature, the symptoms, and the time when the
    sender gave one (a retry without a time is measured "now" again)."""
    return (item.person_id, t, tuple(symptoms), at if item.measured_at is not None else None)


def _same_reading(first: tuple, again: tuple) -> bool:
    return first[:3] == again[:3] and (again[3] is None or first[3] in (None, again[3]))


def _clash() -> dict[str, str]:
    return {
        "client_id": _(
            "this report's id was already used for another person or another reading; "
            "nothing was stored: report again"
        )
    }


def _sort_out_skipped(
    rows: list[tuple], batch: list[tuple[int, tuple]], inserted: list[tuple], result: CheckInResult
) -> None:
    """Rows the INSERT skipped: a retry of what is stored is a duplicate; an id stored for
    another person or another reading is refused. One query, only when something was skipped."""
    done = {(_as_uuid(r[5]), r[1]) for r in inserted}
    skipped = [(row, b) for row, b in zip(rows, batch, strict=True) if (row[0], row[1]) not in done]
    stored: dict[uuid.UUID, list[tuple]] = {}
    for client_id, person_id, t, symptoms, at in CheckIn.objects.filter(
        client_id__in={row[0] for row, _b in skipped}
    ).values_list("client_id", "person_id", "temperature", "symptoms", "measured_at"):
        stored.setdefault(client_id, []).append(
            (person_id, t, tuple(sorted(_symptoms(symptoms))), at)
        )
    for row, (index, reading) in skipped:
        if any(_same_reading(s, reading) for s in stored.get(row[0], [])):
            result.duplicates += 1
        else:
            result.rejected.append((index, _clash()))


def _as_uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _alert_reason(path: str, temperature: Decimal, symptoms: Iterable[str]) -> str | None:
    if temperature >= rules_for(path).fever_threshold:
        return AlertReason.FEVER
    if RED_FLAGS.intersection(symptoms):
        return AlertReason.RED_FLAG
    return None


_STAGED_FROM = 50  # rows: from here a COPY into a staging table beats a long VALUES list
_COLUMNS = (
    'client_id, person_id, region_path, measured_at, "on", temperature, symptoms, source, '
    "recorded_by_id, created_at"
)


# A row is stored once per (client id, person, day); an id already stored for another person,
# or for the same person on another day (a retry measured "now" again after midnight), is not
# stored again (a retry or a clash, told apart afterwards), checked in the same statement
# through the same index. The day is in the unique key because on PostgreSQL check-ins are
# partitioned by it (health/partitions.py); this guard keeps an id to one day all the same.
_NOT_ANOTHERS = (
    "NOT EXISTS (SELECT 1 FROM {table} c WHERE c.client_id = {row}.{client} "
    'AND (c.person_id <> {row}.{person} OR c."on" <> {row}.{on}))'
)
_ON_CONFLICT = 'ON CONFLICT (client_id, person_id, "on") DO NOTHING'
_RETURNING = 'RETURNING id, person_id, region_path, temperature, symptoms, client_id, "on"'
_ROW = "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
_PG_ROW = (
    "(%s::uuid, %s::bigint, %s::varchar, %s::timestamptz, %s::date, %s::numeric, %s::jsonb, "
    "%s::varchar, %s::bigint, %s::timestamptz)"
)


def _insert_staged(rows: list[tuple], user_id: int | None, now: dt.datetime) -> list[tuple]:
    """PostgreSQL, many rows: COPY them into a temporary table (values formatted in C), then
    one INSERT ... SELECT that skips client ids already stored."""
    table = CheckIn._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS checkin_batch (client_id uuid, "
            'person_id bigint, region_path varchar(255), measured_at timestamptz, "on" date, '
            "temperature numeric(3, 1), symptoms jsonb, source varchar(12), "
            "recorded_by_id bigint, created_at timestamptz) ON COMMIT DELETE ROWS"
        )
        with cursor.cursor.copy(f"COPY checkin_batch ({_COLUMNS}) FROM STDIN") as copy:
            for client_id, person_id, path, measured_at, on, t, symptoms, source in rows:
                copy.write_row(
                    (
                        client_id,
                        person_id,
                        path,
                        measured_at,
                        on,
                        t,
                        _json(symptoms),
                        source,
                        user_id,
                        now,
                    )
                )
        guard = _NOT_ANOTHERS.format(
            table=table, row="b", client="client_id", person="person_id", on='"on"'
        )
        sql, params = counters.counted_insert(
            f"INSERT INTO {table} ({_COLUMNS}) SELECT {_COLUMNS} FROM checkin_batch b "
            f"WHERE {guard} {_ON_CONFLICT} {_RETURNING}",
            {row[2] for row in rows},
        )
        cursor.execute(sql, params)
        return cursor.fetchall()


def _insert(rows: list[tuple], user_id: int | None, now: dt.datetime) -> list[tuple]:
    """One INSERT for the rows, skipping client ids already stored; the rows inserted."""
    if connection.vendor == "postgresql" and len(rows) >= _STAGED_FROM:
        return _insert_staged(rows, user_id, now)
    table = CheckIn._meta.db_table
    postgres = connection.vendor == "postgresql"
    # A VALUES list read by a SELECT: PostgreSQL types its values by these casts (the INSERT's
    # columns no longer do); both databases name its columns column1, column2, ...
    marks = ", ".join([_PG_ROW if postgres else _ROW] * len(rows))
    params: list[Any] = []
    hex_ids = not postgres  # SQLite keeps a UUID as 32 hex characters
    for client_id, person_id, path, measured_at, on, temperature, symptoms, source in rows:
        params += [
            client_id.hex if hex_ids else client_id,
            person_id,
            path,
            measured_at,
            on,
            temperature,
            _json(symptoms),
            source,
            user_id,
            now,
        ]
    values = ", ".join(f"column{n}" for n in range(1, 11))
    guard = _NOT_ANOTHERS.format(
        table=table, row="v", client="column1", person="column2", on="column5"
    )
    sql = (
        f"INSERT INTO {table} ({_COLUMNS}) SELECT {values} FROM (VALUES {marks}) AS v "
        f"WHERE {guard} {_ON_CONFLICT} {_RETURNING}"
    )
    with connection.cursor() as cursor:
        if postgres:  # the counters in the same statement
            sql, more = counters.counted_insert(sql, {row[2] for row in rows})
            cursor.execute(sql, params + more)
            return cursor.fetchall()
        cursor.execute(sql, params)
        inserted = cursor.fetchall()
    counters.add(
        (dt.date.fromisoformat(str(on)), path, person_id, t)
        for _id, person_id, path, t, _s, _c, on in inserted
    )
    return inserted


def _json(symptoms: list[str]) -> str:
    return "[" + ", ".join(f'"{s}"' for s in symptoms) + "]"


def _symptoms(value: object) -> list[str]:
    if isinstance(value, list):
        return value
    return [s.strip(' "') for s in str(value).strip("[]").split(",") if s.strip(' "')]


def _open_alerts(inserted: Iterable[tuple], now: dt.datetime) -> list[int]:
    """An alert for each new check-in at or above the threshold or with a red flag, unless the
    person already has one open (the database allows one open alert per person)."""
    alerts = []
    for check_in_id, person_id, path, temperature, symptoms, _client_id, _on in inserted:
        symptoms = _symptoms(symptoms)
        reason = _alert_reason(path, Decimal(str(temperature)), symptoms)
        if reason is None:
            continue
        rules = rules_for(path)
        alerts.append(
            Alert(
                person_id=person_id,
                region_path=path,
                check_in_id=check_in_id,
                reason=reason,
                temperature=temperature,
                symptoms=symptoms,
                opened_at=now,
                deadline_at=now + dt.timedelta(minutes=rules.alert_minutes),
            )
        )
    if alerts:
        Alert.objects.bulk_create(alerts, ignore_conflicts=True)
    return [a.person_id for a in alerts]


def check_close_alert(
    *, user: User, scope: Scope, alert: Alert, outcome: str, note: str = ""
) -> Alert:
    """A named user closes an open alert with what was done."""
    scope.require(Cap.HEALTH_RECORD)
    if outcome not in Outcome.values:
        raise CheckInInvalid(
            {
                "outcome": _("choose what was done; allowed: %(a)s")
                % {"a": ", ".join(Outcome.values)}
            }
        )
    updated = Alert.objects.filter(pk=alert.pk, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=user, outcome=outcome, note=note.strip()[:200]
    )
    if not updated:
        raise CheckInInvalid({"alert": _("this alert is already closed")})
    alert.refresh_from_db()
    return alert


def check_delete_check_in(*, user: User, scope: Scope, check_in: CheckIn, reason: str) -> bool:
    """Staff who enter check-ins remove one entered by mistake, saying why (audited)."""
    scope.require(Cap.HEALTH_RECORD)
    if not scope.contains(check_in.region_path):
        raise CheckInInvalid({"check_in": _("no such check-in in your area")})
    reason = reason.strip()
    if not reason:
        raise CheckInInvalid({"reason": _("say why this check-in is wrong")})
    return do_delete_check_in(user=user, check_in=check_in, reason=reason[:200])


def do_delete_check_in(*, user: User, check_in: CheckIn, reason: str) -> bool:
    """Delete the check-in and uncount it from its grid's day, in one transaction; False when
    it was already gone (deleted twice at once: counted off once). An alert it raised stays,
    without its reading (close it as entered by mistake)."""
    table = CheckIn._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f'DELETE FROM {table} WHERE id = %s AND "on" = %s '  # the day: one partition
                'RETURNING "on", region_path, person_id, temperature, measured_at',
                [check_in.pk, check_in.on],
            )
            gone = cursor.fetchall()
        if not gone:
            return False
        on, path, person_id, temperature, measured_at = gone[0]
        counters.remove([(dt.date.fromisoformat(str(on)), path, person_id, temperature)])
        # Last, as a writer does (check-ins, then counters, then alerts): a writer holding the
        # person's counter row waits on this alert's index entry; locking it before the
        # counters would make each wait for the other (a deadlock).
        Alert.objects.filter(check_in_id=check_in.pk).update(check_in=None)
        record_audit(
            user=user,
            action=AuditAction.DELETE,
            object_type="check_in",
            object_id=check_in.pk,
            region_path=path,
            detail={
                "person": person_id,
                "on": str(on),
                "temperature": str(temperature),
                "measured_at": str(measured_at),
                "reason": reason,
            },
        )
    return True


NEXT_LEVEL = {AlertLevel.GRID: AlertLevel.COMMUNITY, AlertLevel.COMMUNITY: AlertLevel.STREET}


def escalate_overdue_alerts(*, now: dt.datetime | None = None) -> int:
    """Open alerts past their deadline go up one level with a new deadline; how many moved.

    A step of the ``fangkong escalate`` command (run every few minutes by a timer)."""
    now = now or timezone.now()
    moved = 0
    for level, up in NEXT_LEVEL.items():
        by_minutes: dict[int, list[int]] = {}  # the new deadline depends on the region's rule
        for alert_id, path in Alert.objects.filter(
            closed_at__isnull=True, level=level, deadline_at__lt=now
        ).values_list("id", "region_path"):
            by_minutes.setdefault(rules_for(path).alert_minutes, []).append(alert_id)
        for minutes, ids in by_minutes.items():
            moved += Alert.objects.filter(pk__in=ids, level=level, closed_at__isnull=True).update(
                level=up, escalated_at=now, deadline_at=now + dt.timedelta(minutes=minutes)
            )
    return moved
