from django.urls import path

from .views import resident, rounds, staff, tasks

app_name = "assistance"
urlpatterns = [
    path("help/", staff.home, name="home"),
    path("help/new/", staff.new_request, name="new"),
    path("help/batch/", staff.batch, name="batch"),
    path("help/<int:pk>/", staff.request_page, name="request"),
    path("help/<int:pk>/dispatch/", staff.dispatch, name="dispatch"),
    path("help/<int:pk>/merge/", staff.merge, name="merge"),
    path("help/<int:pk>/cancel/", staff.cancel, name="cancel"),
    path("help/tasks/<int:pk>/withdraw/", staff.withdraw, name="withdraw"),
    path("help/advances/<int:pk>/receipt/", staff.receipt, name="receipt"),
    path("help/advances/<int:pk>/repaid/", staff.repaid, name="repaid"),
    path("help/my/", tasks.tasks, name="tasks"),
    path("help/my/<int:pk>/", tasks.task, name="task"),
    path("help/my/<int:pk>/answer/", tasks.answer, name="answer"),
    path("help/my/<int:pk>/step/", tasks.step, name="step"),
    path("help/my/<int:pk>/advance/", tasks.advance, name="advance"),
    path("help/rounds/", rounds.rounds, name="rounds"),
    path("help/rounds/<int:pk>/", rounds.round_page, name="round"),
    path("help/rounds/<int:pk>/close/", rounds.close, name="round_close"),
    path("help/stops/<int:pk>/", rounds.stop, name="stop"),
    path("r/<str:token>/help/", resident.resident_help, name="resident_help"),
    path("r/<str:token>/help/<str:code>/", resident.resident_status, name="resident_status"),
]
