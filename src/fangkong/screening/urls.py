from django.urls import path

from .views import campaigns, sampling

app_name = "screening"
urlpatterns = [
    path("screening/", campaigns.campaigns_page, name="campaigns"),
    path("screening/<int:pk>/", campaigns.campaign_page, name="campaign"),
    path("screening/<int:pk>/untested/<str:code>/", campaigns.untested_page, name="untested"),
    path("screening/<int:pk>/sample/", sampling.sample_page, name="sample"),
    path("screening/tubes/<int:pk>/", sampling.tube_page, name="tube"),
    path("screening/tubes/<int:pk>/close/", sampling.tube_close, name="tube_close"),
    path("screening/swabs/<int:pk>/remove/", sampling.swab_remove, name="swab_remove"),
]
