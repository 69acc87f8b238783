from django.urls import path

from .views import campaigns, lab, sampling

app_name = "screening"
urlpatterns = [
    path("screening/", campaigns.campaigns_page, name="campaigns"),
    path("screening/<int:pk>/", campaigns.campaign_page, name="campaign"),
    path("screening/<int:pk>/untested/<str:code>/", campaigns.untested_page, name="untested"),
    path("screening/<int:pk>/sample/", sampling.sample_page, name="sample"),
    path("screening/tubes/<int:pk>/", sampling.tube_page, name="tube"),
    path("screening/tubes/<int:pk>/close/", sampling.tube_close, name="tube_close"),
    path("screening/swabs/<int:pk>/remove/", sampling.swab_remove, name="swab_remove"),
    path("screening/lab/", lab.lab_page, name="lab"),
    path("screening/lab/imports/<int:pk>/rejects/", lab.lab_rejects, name="lab_rejects"),
    path("screening/lab/conflicts/<int:pk>/confirm/", lab.lab_confirm, name="lab_confirm"),
    path("screening/send/", lab.send_page, name="send"),
    path("screening/tasks/", lab.tasks_page, name="tasks"),
    path("screening/tasks/<int:pk>/swab/", lab.task_swab, name="task_swab"),
]
