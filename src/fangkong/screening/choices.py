from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PoolSize(models.IntegerChoices):
    """Swabs a tube takes: single-tube sampling (单采) or pooled (混采 5合1, 10合1, 20合1)."""

    ONE = 1, _("1 a tube (single)")
    FIVE = 5, _("5 a tube")
    TEN = 10, _("10 a tube")
    TWENTY = 20, _("20 a tube")


class CampaignStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("campaign", "Open")  # sampling goes on
    CLOSED = "closed", pgettext_lazy("campaign", "Closed")  # no more samples; results may come


class Target(models.TextChoices):
    """Whom a campaign must sample in its region."""

    RESIDENTS = "residents", _("Every resident")
    TAG = "tag", _("Residents with a tag")
    WATCHED = "watched", _("People under observation")


class TubeStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("tube", "Open")  # taking swabs
    CLOSED = "closed", pgettext_lazy("tube", "Closed")  # full, or closed early; for the lab
    SENT = "sent", _("Sent to the lab")
    RESULTED = "resulted", _("Result in")


class SampleSource(models.TextChoices):
    PHONE = "phone", _("Sampling page")
    API = "api", _("API")
    IMPORT = "import", _("Imported file")


class UntestedReason(models.TextChoices):
    """Why a resident of the target has not been sampled, as their grid worker records it."""

    AWAY = "away", _("Away")
    HOSPITAL = "hospital", _("In hospital")
    REFUSED = "refused", _("Refused")
    DOOR_TEAM = "door_team", _("Waiting for the door-to-door team")
    OTHER = "other", _("Other")


class Result(models.TextChoices):
    """A lab's finding for a tube (检测结果)."""

    NEGATIVE = "negative", _("Negative")  # 阴性
    POSITIVE = "positive", _("Positive")  # 阳性
    INVALID = "invalid", _("Invalid")  # 无效: the tube is sampled again


# Results that say something: a swab in such a tube counts as resulted (an invalid tube is
# sampled again).
READABLE = (Result.NEGATIVE, Result.POSITIVE)

# When a lab reports one tube twice with different findings, the one that protects the public
# stands: positive over invalid (sample again) over negative.
PRECEDENCE: dict[str, int] = {Result.NEGATIVE: 0, Result.INVALID: 1, Result.POSITIVE: 2}


class TaskKind(models.TextChoices):
    """Work a tube's result gives a grid worker."""

    RETEST = "retest", _("Single-tube retest")  # 单管复核: a member of a positive pool
    RESAMPLE = "resample", _("Re-sample")  # a member of an invalid tube


class TaskLevel(models.TextChoices):
    """Who answers for a task now: its grid worker, or above once it is overdue (单管复核 not
    taken in time goes up the tree as fever alerts and help requests do)."""

    GRID = "grid", _("Grid worker")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    DISTRICT = "district", _("District")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
