"""Every change to mass testing: campaigns, tubes and swabs, the sample import, reasons not
tested."""

from .campaigns import check_add_point, check_add_team, check_create_campaign, do_create_campaign
from .errors import ScreeningInvalid
from .samples import SampleImportResult, import_samples
from .tubes import (
    MAX_BATCH,
    SwabData,
    SwabResult,
    check_add_swabs,
    check_close_tube,
    check_open_tube,
    check_record_untested,
    check_remove_swab,
)

__all__ = [
    "MAX_BATCH",
    "SampleImportResult",
    "ScreeningInvalid",
    "SwabData",
    "SwabResult",
    "check_add_point",
    "check_add_swabs",
    "check_add_team",
    "check_close_tube",
    "check_create_campaign",
    "check_open_tube",
    "check_record_untested",
    "check_remove_swab",
    "do_create_campaign",
    "import_samples",
]
