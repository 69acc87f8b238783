from django.contrib import admin
from django.urls import include, path

from fangkong.api import api

urlpatterns = [
    path("", include("fangkong.people.urls")),
    path("", include("fangkong.health.urls")),
    path("accounts/", include("fangkong.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
