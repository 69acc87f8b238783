"""Every change to the residents' registry: registration, ledger import, duplicates, audit."""

from .dedupe import check_merge_persons, dismiss_duplicate, do_merge_persons
from .ledger import LedgerImportResult, RejectedRow, import_ledger
from .ledger_upload import (
    STALE_AFTER,
    fail_stopped_uploads,
    import_ledger_with_rejects,
    progress_of,
    rejects_name,
    rejects_path,
    run_ledger_upload,
    write_rejects,
)
from .registry import (
    Identity,
    PersonInvalid,
    TagData,
    check_register_person,
    clean_identity,
    clean_name,
    clean_phone,
    do_register_person,
    do_tag_person,
    record_people_export,
    reveal_person,
)

__all__ = [
    "STALE_AFTER",
    "Identity",
    "LedgerImportResult",
    "PersonInvalid",
    "RejectedRow",
    "TagData",
    "check_merge_persons",
    "check_register_person",
    "clean_identity",
    "clean_name",
    "clean_phone",
    "dismiss_duplicate",
    "do_merge_persons",
    "do_register_person",
    "do_tag_person",
    "fail_stopped_uploads",
    "import_ledger",
    "import_ledger_with_rejects",
    "progress_of",
    "record_people_export",
    "rejects_name",
    "rejects_path",
    "reveal_person",
    "run_ledger_upload",
    "write_rejects",
]
