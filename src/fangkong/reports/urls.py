from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("daily/", views.daily_page, name="daily"),
    path("daily/issue/", views.issue, name="issue"),
    path("daily/export.xlsx", views.export, name="export"),
]
