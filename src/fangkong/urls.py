from django.contrib import admin
from django.urls import include, path

from fangkong import frame
from fangkong.api import api

urlpatterns = [
    path("", include("fangkong.people.urls")),
    path("", include("fangkong.health.urls")),
    path("", include("fangkong.screening.urls")),
    path("reports/", include("fangkong.reports.urls")),
    path("supplies/", include("fangkong.supplies.urls")),
    path("", include("fangkong.assistance.urls")),
    path("volunteers/", include("fangkong.volunteers.urls")),
    path("beds/", include("fangkong.beds.urls")),
    path("funds/", include("fangkong.funds.urls")),
    path("accounts/", include("fangkong.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("favicon.ico", frame.favicon, name="favicon"),
]

handler400 = frame.bad_request
handler403 = frame.permission_denied
handler404 = frame.page_not_found
handler500 = frame.server_error
