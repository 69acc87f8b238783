"""Rows for labs and the tasks results give (docs/screening-lab.md).

The subject: the lab persona operates 芙蓉区疾控中心实验室; tube HX910001 (张伟's swab, grid A)
was sent to it and reported negative then positive (a conflict to confirm; 张伟 has a retest
task for grid A's worker); tube HX910002 (张小明, grid A) is closed and not yet sent. Only the
lab operator reaches the lab's pages, and sees barcodes, never names; samplers send tubes; a
task is its assignee's (other samplers find nothing, 404) until it is overdue and escalated:
then the staff of the level it reached see it too (``?escalated``: reached the street), and
community staff, who sample, may swab it; street and district staff have a task list (what is
escalated to them) but never swab.
"""

from __future__ import annotations

from django.urls import reverse

from .common import E, Endpoint

SAMPLERS = {"community", "grid_a", "volunteer"}
LAB = "芙蓉区疾控中心实验室"

ROWS: dict[str, Endpoint] = {}


def _setup(tree):
    import uuid

    from django.utils import timezone

    from fangkong.accounts.models import User
    from fangkong.screening.labmodels import Lab
    from fangkong.screening.models import Campaign, Sample, Tube
    from fangkong.screening.services.labs import check_send_tubes, do_register_lab
    from fangkong.screening.services.results import import_lab_results
    from fangkong.screening.views.lab import imports_dir

    if Lab.objects.exists():
        return
    lab = do_register_lab(
        code="LAB1", name=LAB, region=tree.district, operators=[User.objects.get(username="lab")]
    )
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="红星社区检测",
        region=tree.community_a,
        region_path=tree.community_a.path,
        start_on=today,
        end_on=today,
        pool_size=10,
    )
    for code, person in (("HX910001", tree.person_a), ("HX910002", tree.child_a)):
        tube = Tube.objects.create(
            campaign=campaign,
            barcode=code,
            pool_size=10,
            status="closed",
            region_path=tree.grid_a.path,
            opened_at=timezone.now(),
            closed_at=timezone.now(),
        )
        Sample.objects.create(
            client_id=uuid.uuid4(),
            campaign=campaign,
            tube=tube,
            person=person,
            region_path=person.region_path,
            sampled_at=timezone.now(),
            source="phone",
        )
    check_send_tubes(user=None, scope=None, lab=lab, barcodes=["HX910001"])
    import_lab_results(
        data=_file(),
        filename="r.csv",
        lab=lab,
        user=User.objects.get(username="lab"),
        rejects=imports_dir() / "r-rejects.csv",
    )


def _file(code="HX910001") -> bytes:
    return (
        "核酸检测结果\n试管编号,检测结果,ORF1ab,N,检测机构,报告时间\n"
        f"{code},阴性,,,{LAB},\n{code},阳性,30,31,{LAB},\n"
    ).encode()


def _batch(tree):
    from fangkong.screening.labmodels import LabImport

    return LabImport.objects.get().pk


def _conflict(tree):
    from fangkong.screening.labmodels import ResultConflict

    return ResultConflict.objects.get().pk


def _task(tree):
    from fangkong.screening.labmodels import Task

    return Task.objects.get(person=tree.person_a).pk


def _upload(tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("again.csv", _file())}


def _lab_only(ok):
    return lambda persona: ok if persona == "lab" else 403


def _senders(ok):
    """Every sampler may send (grid B's worker too: what they send must be in their area)."""
    return lambda p: ok if p in SAMPLERS | {"grid_b"} else 403


def _senders_list(persona: str):
    if persona in SAMPLERS:
        return "shown"
    return "hidden" if persona == "grid_b" else 403


# Who has a task list: samplers (their own tasks) and the staff of the levels escalated tasks
# reach (docs/screening-lab.md, "Overdue tasks escalate").
TASK_LISTS = SAMPLERS | {"grid_b", "street", "district"}


def _assignee_list(persona: str):
    if persona == "grid_a":
        return "shown"
    return "hidden" if persona in TASK_LISTS else 403


def _escalated_list(persona: str):
    """The task escalated to the street: its assignee, the community and the street see it."""
    if persona in {"grid_a", "community", "street"}:
        return "shown"
    return "hidden" if persona in TASK_LISTS else 403


def _escalated_swab(persona: str):
    if persona in {"grid_a", "community"}:
        return 302
    return 404 if persona in SAMPLERS | {"grid_b"} else 403


def _escalated(tree):
    from django.utils import timezone

    from fangkong.screening.labmodels import Task

    _setup(tree)
    Task.objects.update(level="street", escalated_at=timezone.now())


def _assignee_only(persona: str):
    if persona == "grid_a":
        return 302
    return 404 if persona in SAMPLERS | {"grid_b"} else 403


ROWS["screening:lab"] = E(
    lambda t: reverse("screening:lab"), _lab_only("shown"), shown=lambda t: "HX910001", setup=_setup
)
ROWS["screening:lab?names"] = E(
    lambda t: reverse("screening:lab"),
    lambda p: "hidden" if p == "lab" else 403,
    shown=lambda t: "张伟",
    setup=_setup,
)
ROWS["screening:lab?post"] = E(
    lambda t: reverse("screening:lab"),
    _lab_only(200),
    method="post",
    setup=_setup,
    body=_upload,
    form=True,
)
ROWS["screening:lab_rejects"] = E(
    lambda t: reverse("screening:lab_rejects", args=[_batch(t)]), _lab_only(200), setup=_setup
)
ROWS["screening:lab_confirm"] = E(
    lambda t: reverse("screening:lab_confirm", args=[_conflict(t)]),
    _lab_only(302),
    method="post",
    setup=_setup,
    body=lambda t: {},
    form=True,
)
ROWS["screening:send"] = E(
    lambda t: reverse("screening:send"), _senders_list, shown=lambda t: "HX910002", setup=_setup
)
ROWS["screening:send?post"] = E(
    lambda t: reverse("screening:send"),
    _senders(302),
    method="post",
    setup=_setup,
    body=lambda t: {"lab": _lab_id(), "barcodes": "HX910002"},
    form=True,
)
ROWS["screening:tasks"] = E(
    lambda t: reverse("screening:tasks"), _assignee_list, shown=lambda t: "张伟", setup=_setup
)
ROWS["screening:task_swab"] = E(
    lambda t: reverse("screening:task_swab", args=[_task(t)]),
    _assignee_only,
    method="post",
    setup=_setup,
    body=lambda t: {"barcode": "HX910009"},
    form=True,
)
ROWS["screening:tasks?escalated"] = E(
    lambda t: reverse("screening:tasks"), _escalated_list, shown=lambda t: "张伟", setup=_escalated
)
ROWS["screening:task_swab?escalated"] = E(
    lambda t: reverse("screening:task_swab", args=[_task(t)]),
    _escalated_swab,
    method="post",
    setup=_escalated,
    body=lambda t: {"barcode": "HX910009"},
    form=True,
)
ROWS["api:import_lab_results_file"] = E(
    lambda t: reverse("api:import_lab_results_file"),
    _lab_only(200),
    method="post",
    setup=_setup,
    body=_upload,
    form=True,
)
ROWS["api:list_lab_tubes"] = E(
    lambda t: reverse("api:list_lab_tubes") + "?waiting=false",
    _lab_only("shown"),
    shown=lambda t: "HX910001",
    setup=_setup,
)
ROWS["api:send_tubes"] = E(
    lambda t: reverse("api:send_tubes"),
    _senders(200),
    method="post",
    setup=_setup,
    body=lambda t: {"lab": _lab_id(), "barcodes": ["HX910002"]},
)
ROWS["api:list_my_tasks"] = E(
    lambda t: reverse("api:list_my_tasks"),
    _assignee_list,
    shown=lambda t: "HX910001",
    setup=_setup,
)
ROWS["api:list_my_tasks?escalated"] = E(
    lambda t: reverse("api:list_my_tasks"),
    _escalated_list,
    shown=lambda t: "HX910001",
    setup=_escalated,
)


def _lab_id():
    from fangkong.screening.labmodels import Lab

    return Lab.objects.get(code="LAB1").pk
