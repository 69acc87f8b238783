"""The one place that decides what a user may see and do.

Every list, detail, export, count and API call asks ``scope_of(user)`` and filters through
``Scope.filter`` (rows carry a materialised ``region_path``), so a record outside the user's
subtree simply does not exist for them: lists leave it out, details answer 404. ``Scope``
itself lives in ``fangkong.common.scope`` (the region tree filters by it without knowing of
users or roles); this module decides the capabilities of each role.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

from fangkong.common.scope import NOBODY, Scope, reach_of

from .choices import Role

__all__ = ["NOBODY", "ROLE_CAPS", "Cap", "Scope", "scope_of"]


class Cap(StrEnum):
    VIEW_PEOPLE = "view_people"  # the registry: regions with counts, buildings, persons
    UNMASK = "unmask"  # reveal full ID numbers and phones (audited)
    EXPORT_PEOPLE = "export_people"  # download lists of persons (audited)
    VIEW_AUDIT = "view_audit"  # read who revealed or exported whom, in the region
    EDIT_PEOPLE = "edit_people"  # register residents
    HEALTH_VIEW = "health_view"  # check-ins, alerts, observation, cases: lists and counts
    HEALTH_RECORD = "health_record"  # enter check-ins, close alerts, put people under watch
    CASES = "cases"  # report cases and trace their contacts
    CHECKPOINT = "checkpoint"  # staff a checkpoint: log passages
    HEALTH_RULES = "health_rules"  # set a region's health rules: who must report daily
    REPORTS_VIEW = "reports_view"  # read and export the daily report of a region in scope
    REPORTS_ISSUE = "reports_issue"  # issue (freeze) a daily report: a new version each time
    SCREENING_VIEW = "screening_view"  # testing campaigns, coverage, the untested per household
    SCREENING_PLAN = "screening_plan"  # create testing campaigns, their points and teams
    SAMPLING = "sampling"  # open tubes, add swabs to them, close them, remove a wrong swab
    STOCK_VIEW = "stock_view"  # every stock point of the region: balances, movements, cards
    STOCK_KEEP = "stock_keep"  # keep stock at the points one is keeper of (docs/supplies.md)
    LAB_RESULTS = "lab_results"  # a lab's tubes (barcodes, never names) and uploading results
    REQUISITION = "requisition"  # raise requisitions for one's unit and follow them
    ALLOCATE = "allocate"  # approve the region's requisitions and run allocation rounds
    HELP_VIEW = "help_view"  # residents' help requests of the region: lists, figures, rounds
    HELP_RAISE = "help_raise"  # raise a help request for a household (grid worker, hotline)
    HELP_DISPATCH = "help_dispatch"  # triage: merge, cancel, dispatch, delivery rounds
    HELP_TASKS = "help_tasks"  # a volunteer's own help tasks (docs/assistance.md)
    VOLUNTEERS_VIEW = "volunteers_view"  # volunteers, teams, their days, hours and the league
    VOLUNTEERS_MANAGE = (
        "volunteers_manage"  # register and approve volunteers; teams, posts, rosters
    )
    DUTY = "duty"  # a volunteer's own shifts (sign in and out), hours and certificate
    BEDS_VIEW = "beds_view"  # facilities, bed figures, patients waiting, plans: of the region
    BEDS_PLAN = "beds_plan"  # run, review and confirm the day's transfer plan
    BEDS_PROGRESS = "beds_progress"  # triage waiting patients, report the plan's progress
    BEDS_KEEP = "beds_keep"  # a hospital operator: their facility's beds and patients only
    FUNDS_VIEW = "funds_view"  # funds, balances, allowance policies and rosters (masked)
    FUNDS_RECORD = "funds_record"  # record funds received and payments made from them
    ALLOWANCE_SUBMIT = "allowance_submit"  # upload a unit's allowance roster (docs/funds.md)
    ALLOWANCE_APPROVE = "allowance_approve"  # define policies, approve or return rosters
    PAY = "pay"  # produce the bank's payment file (full card numbers, audited), confirm it
    LABOUR_VIEW = "labour_view"  # work resumption, returned migrant workers, openings: figures
    LABOUR_RECORD = "labour_record"  # record enterprises' reports, intentions and placements


_REGISTRY_STAFF = frozenset({Cap.VIEW_PEOPLE, Cap.EXPORT_PEOPLE, Cap.HEALTH_VIEW})
_SUPERVISORS = _REGISTRY_STAFF | {Cap.VIEW_AUDIT, Cap.CASES, Cap.HEALTH_RULES}
_FRONT_LINE = frozenset(
    {
        Cap.VIEW_PEOPLE,
        Cap.EXPORT_PEOPLE,
        Cap.UNMASK,
        Cap.EDIT_PEOPLE,
        Cap.HEALTH_VIEW,
        Cap.HEALTH_RECORD,
        Cap.CHECKPOINT,
    }
)

# Grid workers and community staff call and register residents, so they may register them and
# reveal identifiers, and they enter check-ins and follow people under observation; community,
# street and above report cases and trace contacts and set their region's health rules (who
# must report daily); volunteers staff checkpoints;
# street, district and city staff work with masked data, and district and city staff read the
# audit log of their region. Warehouse, lab, hospital and volunteer accounts see no part of the
# residents' registry.
# Daily reports (docs/reports.md): read by community staff and above, issued by street staff
# and above, each for the regions of their scope.
_REPORTERS = frozenset({Cap.REPORTS_VIEW, Cap.REPORTS_ISSUE})
# Mass testing (docs/screening.md): street staff and above plan campaigns; everyone from the
# grid worker up follows them (coverage, the untested); grid workers, community staff and
# volunteers helping the medics sample (tubes and swabs). Lab operators see the tubes sent to
# their lab (barcodes, never who is in them) and upload their results.
_PLANNERS = frozenset({Cap.SCREENING_VIEW, Cap.SCREENING_PLAN})
_SAMPLERS = frozenset({Cap.SCREENING_VIEW, Cap.SAMPLING})
# Supplies (docs/scope.md, "Stock points"): staff from the community up read the stock of every
# point in their region; a warehouse keeper reads and writes only the points they keep.
# Funds and allowances (docs/funds.md): headquarters and district staff read funds and rosters
# (masked); a hospital (a unit) uploads its own staff's roster and reads what it sent; the
# finance officer (the wage-welfare division) records funds, defines policies, approves rosters
# and alone produces the payment file, which holds full card numbers.
_FUNDS_READERS = frozenset({Cap.FUNDS_VIEW})
_FINANCE = frozenset(
    {Cap.FUNDS_VIEW, Cap.FUNDS_RECORD, Cap.ALLOWANCE_SUBMIT, Cap.ALLOWANCE_APPROVE, Cap.PAY}
)
# Work resumption and labour placement: communities (villages) and streets (townships) know
# their returned workers and local enterprises and record them; districts and the city read.
_LABOUR = frozenset({Cap.LABOUR_VIEW, Cap.LABOUR_RECORD})
ROLE_CAPS: dict[str, frozenset[Cap]] = {
    Role.HEADQUARTERS: _SUPERVISORS
    | _REPORTERS
    | _PLANNERS
    | {Cap.STOCK_VIEW, Cap.LABOUR_VIEW}
    | _FUNDS_READERS,
    Role.DISTRICT: _SUPERVISORS
    | _REPORTERS
    | _PLANNERS
    | {Cap.STOCK_VIEW, Cap.LABOUR_VIEW}
    | _FUNDS_READERS,
    Role.STREET: _REGISTRY_STAFF
    | _REPORTERS
    | _PLANNERS
    | {Cap.CASES, Cap.CHECKPOINT, Cap.HEALTH_RULES, Cap.STOCK_VIEW}
    | _LABOUR,
    Role.COMMUNITY: _FRONT_LINE
    | _SAMPLERS
    | {Cap.CASES, Cap.HEALTH_RULES, Cap.REPORTS_VIEW, Cap.STOCK_VIEW}
    | _LABOUR,
    Role.GRID_WORKER: _FRONT_LINE | _SAMPLERS,
    Role.WAREHOUSE: frozenset({Cap.STOCK_KEEP}),
    Role.LAB: frozenset({Cap.LAB_RESULTS}),
    Role.HOSPITAL: frozenset({Cap.ALLOWANCE_SUBMIT}),
    # volunteers staff checkpoints and help sampling teams (tubes and swabs, no registry)
    Role.VOLUNTEER: frozenset({Cap.CHECKPOINT, Cap.SAMPLING}),
    Role.FINANCE: _FINANCE,
}
# Volunteers (docs/volunteers.md): staff from the grid worker up see the volunteers, teams and
# hours of their region; community and street staff register and approve volunteers and run
# teams, posts and rosters; a volunteer sees only their own shifts, hours and certificate.
for _role in (Role.HEADQUARTERS, Role.DISTRICT, Role.STREET, Role.COMMUNITY, Role.GRID_WORKER):
    ROLE_CAPS[_role] |= {Cap.VOLUNTEERS_VIEW}
for _role in (Role.STREET, Role.COMMUNITY):
    ROLE_CAPS[_role] |= {Cap.VOLUNTEERS_MANAGE}
ROLE_CAPS[Role.VOLUNTEER] |= {Cap.DUTY}


# Requisitions (docs/supplies.md, "Requisitions"): community staff, hospital operators and
# warehouse keepers raise them for their unit and follow them; street staff and above approve
# the requisitions of their region and run allocation rounds at its points.
_REQUESTERS = frozenset({Role.COMMUNITY, Role.HOSPITAL, Role.WAREHOUSE})
_APPROVERS = frozenset({Role.HEADQUARTERS, Role.DISTRICT, Role.STREET})
for _role in _REQUESTERS | _APPROVERS:
    ROLE_CAPS[_role] = ROLE_CAPS[_role] | {Cap.REQUISITION}
for _role in _APPROVERS:
    ROLE_CAPS[_role] = ROLE_CAPS[_role] | {Cap.ALLOCATE}
# Help requests (docs/assistance.md): everyone from the grid worker up reads the requests of
# their region; grid workers raise them for a household, and so do community staff and district
# staff, who answer the hotlines (the community's phone, the district's 12345 desk); community
# and street staff triage and dispatch (an overdue request goes up to the street); a volunteer
# reads and works only the tasks given to them.
_HELP_CAPS: dict[str, frozenset[Cap]] = {
    Role.HEADQUARTERS: frozenset({Cap.HELP_VIEW}),
    Role.DISTRICT: frozenset({Cap.HELP_VIEW, Cap.HELP_RAISE}),
    Role.STREET: frozenset({Cap.HELP_VIEW, Cap.HELP_DISPATCH}),
    Role.COMMUNITY: frozenset({Cap.HELP_VIEW, Cap.HELP_RAISE, Cap.HELP_DISPATCH}),
    Role.GRID_WORKER: frozenset({Cap.HELP_VIEW, Cap.HELP_RAISE}),
    Role.VOLUNTEER: frozenset({Cap.HELP_TASKS}),
}
for _role, _caps in _HELP_CAPS.items():
    ROLE_CAPS[_role] = ROLE_CAPS[_role] | _caps
# Beds (docs/beds.md): headquarters plans the day's transfers; district staff triage their
# waiting patients and report the plan's progress; street staff follow; a hospital operator
# keeps their own facility's beds and sees only the patients sent to it.
ROLE_CAPS[Role.HEADQUARTERS] |= {Cap.BEDS_VIEW, Cap.BEDS_PLAN, Cap.BEDS_PROGRESS}
ROLE_CAPS[Role.DISTRICT] |= {Cap.BEDS_VIEW, Cap.BEDS_PROGRESS}
ROLE_CAPS[Role.STREET] |= {Cap.BEDS_VIEW}
ROLE_CAPS[Role.HOSPITAL] |= {Cap.BEDS_KEEP}


def scope_of(user) -> Scope:
    """The scope of a (possibly anonymous) user; cached on the user object for the request."""
    reach = reach_of(user)
    if reach is NOBODY:
        return NOBODY
    cached = getattr(user, "_fangkong_scope", None)
    if cached is not None:
        return cached
    scope = replace(reach, caps=ROLE_CAPS.get(user.role, frozenset()))
    user._fangkong_scope = scope
    return scope
