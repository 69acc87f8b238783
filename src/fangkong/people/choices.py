from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "U", _("Unknown")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")  # 居民身份证
    PASSPORT = "passport", _("Passport")  # 护照
    HMT_RESIDENCE = "hmt_residence", _("HK/Macao/Taiwan residence permit")  # 港澳台居民居住证
    MAINLAND_PERMIT = "mainland_permit", _("Mainland travel permit")  # 往来内地通行证
    OTHER = "other", _("Other document")


class TagKind(models.TextChoices):
    # vulnerable
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")
    BEDRIDDEN = "bedridden", _("Bedridden")
    DISABLED = "disabled", _("Disabled")
    CHRONIC_CARE = "chronic_care", _("Chronic illness needing regular care")
    PREGNANT = "pregnant", _("Pregnant")
    # key categories
    RETURNEE = "returnee", _("Returnee from a risk area")
    CLOSE_CONTACT = "close_contact", _("Close contact")
    SECONDARY_CONTACT = "secondary_contact", _("Secondary contact")
    # a category a ledger names that Fangkong has no kind for (its words are the tag's label)
    OTHER = "other", _("Other category")


VULNERABLE = (
    TagKind.ELDERLY_ALONE,
    TagKind.BEDRIDDEN,
    TagKind.DISABLED,
    TagKind.CHRONIC_CARE,
    TagKind.PREGNANT,
)
KEY_CATEGORIES = (TagKind.RETURNEE, TagKind.CLOSE_CONTACT, TagKind.SECONDARY_CONTACT)

CHILD_AGE = 14  # "children under 14" is derived from the birth date, never stored


class LedgerStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
