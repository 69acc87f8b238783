from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HEADQUARTERS = "headquarters", _("Headquarters")
    DISTRICT = "district", _("District staff")
    STREET = "street", _("Street staff")
    COMMUNITY = "community", _("Community staff")
    GRID_WORKER = "grid_worker", _("Grid worker")
    WAREHOUSE = "warehouse", _("Warehouse keeper")
    LAB = "lab", _("Lab operator")
    HOSPITAL = "hospital", _("Hospital operator")
    VOLUNTEER = "volunteer", _("Volunteer")
    FINANCE = "finance", _("Finance officer")


class AuditAction(models.TextChoices):
    VIEW_UNMASKED = "view_unmasked", _("Viewed unmasked personal data")
    EXPORT = "export", _("Exported")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    TOKEN_CREATED = "token_created", _("API token created")
    IMPORT = "import", _("Imported")
    MERGE = "merge", _("Merged duplicate records")
    LOCKOUT = "lockout", _("Login locked")
    VIEW = "view", _("Viewed a person's record")
    RULE_CHANGED = "rule_changed", _("Changed a region's rules")
    DELETE = "delete", _("Deleted a wrong entry")
    REPORT_ISSUED = "report_issued", _("Issued a daily report")


class LockKind(models.TextChoices):
    """What repeated failed logins locked: one account, or every login from one address."""

    ACCOUNT = "account", _("account")
    ADDRESS = "address", _("address")
