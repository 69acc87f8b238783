"""Funds and what is paid from them; allowance policies, the rosters units send and the
payees on them; payment files and what the bank confirmed. Money is whole fen (分) in
integers, never a float."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.common.db import prefix_index
from fangkong.common.money import yuan
from fangkong.people.models import Person
from fangkong.regions.models import Region

from .choices import Intention, LabourStatus, PayeeStatus, PolicyKind, RosterStatus, Source


class Fund(models.Model):
    """Money allocated for the response: its source, purpose and the document granting it."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    purpose = models.CharField(_("purpose"), max_length=200)
    document = models.CharField(_("document"), max_length=100)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    allocated_on = models.DateField(_("allocated on"), default=timezone.localdate)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-allocated_on", "code"]
        indexes = [prefix_index("region_path", "fund_region")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="fund_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def amount(self):
        return yuan(self.amount_fen)


class FundPayment(models.Model):
    """A payment out of a fund, with the document (voucher, approval) it was made on."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="payments")
    client_id = models.UUIDField(unique=True)  # a retried form or call never pays twice
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    payee = models.CharField(_("payee"), max_length=120)
    purpose = models.CharField(_("purpose"), max_length=200)
    document = models.CharField(_("document"), max_length=100)
    ahead = models.BooleanField(_("paid ahead"), default=False)  # 提前拨付
    paid_on = models.DateField(_("paid on"), default=timezone.localdate)
    region_path = models.CharField(max_length=255)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-paid_on", "-pk"]
        indexes = [prefix_index("region_path", "fundpayment_region")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=~Q(document=""), name="payment_has_document"),
        ]

    def __str__(self) -> str:
        return f"{self.fund.code} {yuan(self.amount_fen)} {self.payee}"


class Policy(models.Model):
    """An allowance policy: who may be on it, by which document, at which fixed rates."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    basis = models.CharField(_("legal basis (document number)"), max_length=120, blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=PolicyKind.choices, default=PolicyKind.ONE_OFF
    )
    eligible = models.TextField(_("who may be on it"), blank=True)
    fund = models.ForeignKey(Fund, null=True, blank=True, on_delete=models.PROTECT)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "code"]
        indexes = [prefix_index("region_path", "policy_region")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def one_off(self) -> bool:
        return self.kind == PolicyKind.ONE_OFF


class Rate(models.Model):
    """One category of a policy and its fixed amount."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="rates")
    category = models.CharField(_("category"), max_length=60)
    amount_fen = models.BigIntegerField(_("amount (fen)"))

    class Meta:
        ordering = ["-amount_fen", "category"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "category"], name="rate_once_per_category"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.category}={yuan(self.amount_fen)}"


class Roster(models.Model):
    """One upload of a unit's roster: the rows it added, and the division's review."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="rosters")
    unit = models.CharField(_("unit"), max_length=120)
    period = models.CharField(_("period"), max_length=20, blank=True)
    filename = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=RosterStatus.choices, default=RosterStatus.SUBMITTED
    )
    read = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    total_fen = models.BigIntegerField(default=0)
    stated_total_fen = models.BigIntegerField(null=True, blank=True)  # the file's 合计 row
    rejected = models.PositiveIntegerField(default=0)
    rejects_file = models.CharField(max_length=500, blank=True)
    region_path = models.CharField(max_length=255)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [prefix_index("region_path", "roster_region")]

    def __str__(self) -> str:
        return f"{self.policy.code} {self.unit} #{self.pk}"


class PayBatch(models.Model):
    """A payment file sent to the bank: the approved payees it holds until confirmed."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="batches")
    rows = models.PositiveIntegerField(default=0)
    total_fen = models.BigIntegerField(default=0)
    region_path = models.CharField(max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [prefix_index("region_path", "paybatch_region")]

    def __str__(self) -> str:
        return f"{self.policy.code} #{self.pk}"


class Payee(models.Model):
    """A person on a roster: the row as checked, its status from submitted to paid."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="payees")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="payees")
    period = models.CharField(max_length=20, blank=True)
    row_number = models.PositiveIntegerField()
    name = models.CharField(max_length=60)
    id_number = models.CharField(max_length=18)
    unit = models.CharField(max_length=120)
    category = models.CharField(max_length=60)
    amount_fen = models.BigIntegerField()
    bank_card = models.CharField(max_length=19)
    bank = models.CharField(max_length=60)
    status = models.CharField(
        max_length=16, choices=PayeeStatus.choices, default=PayeeStatus.SUBMITTED
    )
    batch = models.ForeignKey(
        PayBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="payees"
    )
    failure_reason = models.CharField(max_length=200, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    region_path = models.CharField(max_length=255)

    class Meta:
        ordering = ["roster_id", "row_number"]
        indexes = [
            models.Index(fields=["policy", "status"], name="payee_policy_status"),
            prefix_index("region_path", "payee_region"),
        ]
        constraints = [
            # A person once per one-off policy (period ""), once per period of a periodic
            # one, across every roster and unit; a returned row frees the place.
            models.UniqueConstraint(
                fields=["policy", "period", "id_number"],
                condition=~Q(status=PayeeStatus.RETURNED),
                name="payee_once_per_policy_period",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payee_amount_positive"),
            models.CheckConstraint(
                condition=Q(paid_at__isnull=True) | Q(status=PayeeStatus.PAID),
                name="payee_paid_at_only_when_paid",
            ),
            models.CheckConstraint(
                condition=~Q(status=PayeeStatus.SENT) | Q(batch__isnull=False),
                name="payee_sent_in_a_batch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {yuan(self.amount_fen)}"


class Enterprise(models.Model):
    """A local enterprise that reports its return to work and offers jobs."""

    name = models.CharField(_("name"), max_length=120)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        indexes = [prefix_index("region_path", "enterprise_region")]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="enterprise_once_per_region")
        ]

    def __str__(self) -> str:
        return self.name


class ResumptionReport(models.Model):
    """An enterprise's day: resumed or not, and how many of its staff are back (复工复产)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="reports")
    reported_on = models.DateField(default=timezone.localdate)
    resumed = models.BooleanField(default=False)
    staff_total = models.PositiveIntegerField()
    staff_back = models.PositiveIntegerField()
    region_path = models.CharField(max_length=255)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-reported_on"]
        indexes = [prefix_index("region_path", "resumption_region")]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "reported_on"], name="resumption_once_a_day"
            ),
            models.CheckConstraint(
                condition=Q(staff_back__lte=F("staff_total")), name="resumption_back_le_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.reported_on}"


class JobOpening(models.Model):
    """Jobs an enterprise offers returned workers; never more filled than offered."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="openings")
    title = models.CharField(_("job"), max_length=120)
    positions = models.PositiveIntegerField()
    filled = models.PositiveIntegerField(default=0)
    region_path = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [prefix_index("region_path", "opening_region")]
        constraints = [
            models.CheckConstraint(condition=Q(positions__gt=0), name="opening_positions_positive"),
            models.CheckConstraint(
                condition=Q(filled__lte=F("positions")), name="opening_never_overfilled"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.title}"

    @property
    def open_positions(self) -> int:
        return self.positions - self.filled


class Returnee(models.Model):
    """A returned migrant worker of a village (from the registry's returnee tag): what they
    mean to do and where they stand."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="+")
    intention = models.CharField(
        max_length=16, choices=Intention.choices, default=Intention.UNKNOWN
    )
    status = models.CharField(
        max_length=16, choices=LabourStatus.choices, default=LabourStatus.TO_PLACE
    )
    opening = models.ForeignKey(
        JobOpening, null=True, blank=True, on_delete=models.PROTECT, related_name="placed"
    )
    region_path = models.CharField(max_length=255)
    registered_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["region_path", "pk"]
        indexes = [prefix_index("region_path", "returnee_region")]
        constraints = [
            models.CheckConstraint(
                condition=Q(opening__isnull=True) | Q(status=LabourStatus.PLACED),
                name="returnee_opening_only_when_placed",
            )
        ]

    def __str__(self) -> str:
        return str(self.person_id)
