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
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.common.digits import ascii_digits

from ..choices import RED_FLAGS, AlertLevel, AlertReason, Outcome, Source, Symptom
from ..models import Alert, CheckIn
from ..rules import rules_for

MIN_TEMPERATURE = Decimal("35.0")
MAX_TEMPERATURE = Decimal("42.0")
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
    try:
        t = Decimal(ascii_digits(str(value)).strip()).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise CheckInInvalid(
            {"temperature": _("temperature must be a number such as 36.5")}
        ) from None
    if not MIN_TEMPERATURE <= t <= MAX_TEMPERATURE:
        raise CheckInInvalid(
            {
                "temperature": _("temperature %(t)s °C is outside 35.0–42.0 °C; measure again")
                % {"t": t}
            }
        )
    return t


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
    their region path (a person not in it is refused as unknown)."""
    if len(items) > MAX_BATCH:
        raise CheckInInvalid({"records": _("at most %(n)d records a request") % {"n": MAX_BATCH}})
    now = timezone.now()
    result = CheckInResult()
    rows: list[tuple] = []
    seen: set[uuid.UUID] = set()
    for i, item in enumerate(items):
        path = persons.get(item.person_id)
        try:
            if path is None:
                raise CheckInInvalid({"person": _("no such person in your area")})
            temperature, measured_at, symptoms = _clean(item, now)
        except CheckInInvalid as e:
            result.rejected.append((i, e.errors))
            continue
        if item.client_id in seen:
            result.duplicates += 1
            continue
        seen.add(item.client_id)
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
    if not rows:
        return result
    user_id = recorded_by.pk if recorded_by and recorded_by.pk else None
    # One INSERT is atomic by itself; a transaction (two more round trips) only when alerts
    # must be stored with their check-ins.
    alarming = any(
        _alert_reason(path, t, symptoms) for _c, _p, path, _m, _o, t, symptoms, _s in rows
    )
    with transaction.atomic() if alarming else contextlib.nullcontext():
        inserted = _insert(rows, user_id, now)
        result.created = len(inserted)
        result.duplicates += len(rows) - len(inserted)
        if alarming:
            result.alerts = _open_alerts(inserted, now)
    return result


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
        cursor.execute(
            f"INSERT INTO {table} ({_COLUMNS}) SELECT {_COLUMNS} FROM checkin_batch "
            "ON CONFLICT (client_id) DO NOTHING "
            "RETURNING id, person_id, region_path, temperature, symptoms"
        )
        return cursor.fetchall()


def _insert(rows: list[tuple], user_id: int | None, now: dt.datetime) -> list[tuple]:
    """One INSERT for the rows, skipping client ids already stored; the rows inserted."""
    if connection.vendor == "postgresql" and len(rows) >= _STAGED_FROM:
        return _insert_staged(rows, user_id, now)
    table = CheckIn._meta.db_table
    marks = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    hex_ids = connection.vendor != "postgresql"  # SQLite keeps a UUID as 32 hex characters
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
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({_COLUMNS}) VALUES {marks} ON CONFLICT (client_id) DO NOTHING "
            "RETURNING id, person_id, region_path, temperature, symptoms",
            params,
        )
        return cursor.fetchall()


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
    for check_in_id, person_id, path, temperature, symptoms in inserted:
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
